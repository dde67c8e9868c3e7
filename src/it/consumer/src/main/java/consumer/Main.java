/*
 * Copyright 2026 the kaio authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package consumer;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.kaio.Aio;
import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import dev.kaio.KaioFileChannel;
import dev.kaio.engine.AioQueue;
import dev.kaio.engine.RawFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Run as {@code Main MODE VERSION FILE}, MODE being "module-path" or "class-path": checks that kaio was
 * loaded that way with native access, that it reports VERSION, and that both API packages work: it
 * writes with writev through O_DIRECT, fdatasyncs, and reads the bytes back with readv
 * ({@code dev.kaio}), with the low-level queue ({@code dev.kaio.engine}), through the NIO channel, and
 * with the JDK's FileChannel. Any difference is an exception, and a non-zero exit status.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String version = args[1];
        Path path = Path.of(args[2]);

        Module kaio = Aio.class.getModule();
        if (mode.equals("module-path")) {
            check(kaio.isNamed() && kaio.getName().equals("dev.kaio"), "kaio is not the named module dev.kaio");
            check(Main.class.getModule().isNamed(), "this program is not a named module");
            Optional<String> descriptorVersion = kaio.getDescriptor().rawVersion();
            check(descriptorVersion.equals(Optional.of(version)), "module version " + descriptorVersion);
            check(kaio.getDescriptor().exports().size() == 2, "exports " + kaio.getDescriptor().exports());
        } else {
            check(!kaio.isNamed(), "kaio is not on the class path");
        }
        check(kaio.isNativeAccessEnabled(), "native access is not enabled for kaio");
        check(Aio.version().equals(version), "Aio.version() is " + Aio.version() + ", not " + version);
        check(Aio.isAvailable(), "Linux AIO is not available: " + Aio.unavailabilityCause());

        try (AioContext ctx = AioContext.open(8);
                AioFile file = AioFile.open(ctx, path, READ, WRITE, CREATE, AioOpenOption.DIRECT);
                Arena arena = Arena.ofShared()) {
            int a = file.alignment();
            Random random = new Random(7);
            List<MemorySegment> out = new ArrayList<>();
            List<MemorySegment> in = new ArrayList<>();
            long total = 0;
            for (int i = 1; i <= 4; i++) {
                byte[] bytes = new byte[a * i];
                random.nextBytes(bytes);
                MemorySegment s = DirectBuffers.allocate(arena, bytes.length, a);
                s.copyFrom(MemorySegment.ofArray(bytes));
                out.add(s);
                in.add(DirectBuffers.allocate(arena, bytes.length, a));
                total += bytes.length;
            }
            MemorySegment written = joined(arena, out, total, a);
            check(file.writev(out, 0).join() == total, "short writev");
            file.fdatasync().join();
            check(file.readv(in, 0).join() == total, "short readv");
            check(joined(arena, in, total, a).mismatch(written) == -1, "readv read other bytes");

            // dev.kaio.engine: one PREAD through the low-level queue
            try (AioQueue queue = AioQueue.open(4);
                    RawFile raw = RawFile.open(path, READ, AioOpenOption.DIRECT)) {
                MemorySegment buf = DirectBuffers.allocate(arena, total, a);
                queue.prepareRead(raw.fd(), buf, 0, 42);
                queue.submit();
                check(queue.reap(1, 1, -1) == 1 && queue.tag(0) == 42, "no completion of tag 42");
                check(queue.result(0) == total && buf.mismatch(written) == -1, "AioQueue read " + queue.result(0));
            }

            // the NIO channel, and the JDK's own read path
            ByteBuffer viaChannel = ByteBuffer.allocate((int) total);
            try (AsynchronousFileChannel ch = KaioFileChannel.open(path, READ)) {
                check(ch.read(viaChannel, 0).get() == total, "short KaioFileChannel read");
            }
            ByteBuffer viaJdk = ByteBuffer.allocate((int) total);
            try (FileChannel ch = FileChannel.open(path, READ)) {
                while (viaJdk.hasRemaining() && ch.read(viaJdk, viaJdk.position()) > 0) {
                    // keep reading
                }
            }
            check(MemorySegment.ofArray(viaChannel.array()).mismatch(written) == -1, "KaioFileChannel differs");
            check(MemorySegment.ofArray(viaJdk.array()).mismatch(written) == -1, "FileChannel differs");
            System.out.println("OK " + mode + ": kaio " + Aio.version() + ", " + total + " bytes written with writev"
                    + " (O_DIRECT, alignment " + a + ") and read back with readv, AioQueue, KaioFileChannel and"
                    + " FileChannel");
        }
        KaioFileChannel.closeDefaultContext();
    }

    private static MemorySegment joined(Arena arena, List<MemorySegment> parts, long total, int alignment) {
        MemorySegment all = DirectBuffers.allocate(arena, total, alignment);
        long pos = 0;
        for (MemorySegment p : parts) {
            MemorySegment.copy(p, 0, all, pos, p.byteSize());
            pos += p.byteSize();
        }
        return all;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
