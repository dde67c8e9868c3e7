package dev.kaio.testing;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.DirectBuffers;
import dev.kaio.engine.AioQueue;
import java.lang.foreign.Arena;

/** Run in a child JVM without --enable-native-access: the library loads, and says exactly what to do. */
public final class NoNativeAccessMain {
    public static void main(String[] args) throws Exception {
        // loading and using the classes that need no native code works
        // touching the generated bindings first (Errno's constants come from them) must not defeat the check
        System.out.println("EINVAL=" + dev.kaio.Errno.EINVAL + " " + dev.kaio.Errno.name(dev.kaio.Errno.EINVAL));
        System.out.println("loaded " + AioFile.class.getName() + " " + DirectBuffers.alignUp(1, 512));
        try (Arena arena = Arena.ofConfined()) {
            System.out.println("allocated " + DirectBuffers.allocate(arena, 4096, 4096).byteSize());
        }
        try {
            AioContext.open(1);
            System.out.println("UNEXPECTED: opened a context");
        } catch (UnsupportedOperationException e) {
            System.out.println("AioContext: " + e.getMessage());
        }
        try {
            AioQueue.open(1);
            System.out.println("UNEXPECTED: opened a queue");
        } catch (UnsupportedOperationException e) {
            System.out.println("AioQueue: " + e.getMessage());
        }
    }
}
