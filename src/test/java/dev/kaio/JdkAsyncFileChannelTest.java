package dev.kaio;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/** The conformance suite against the JDK's own channel: the reference kaio must match. */
class JdkAsyncFileChannelTest extends AsyncFileChannelConformance {

    @Override
    AsynchronousFileChannel open(Path path, OpenOption... options) throws IOException {
        return AsynchronousFileChannel.open(path, options);
    }

    @Override
    AsynchronousFileChannel open(Path path, Set<? extends OpenOption> options, ExecutorService executor,
            FileAttribute<?>... attrs) throws IOException {
        return AsynchronousFileChannel.open(path, options, executor, attrs);
    }

    @Override
    String implementation() {
        return "jdk";
    }

    @Override
    boolean closeCompletesPendingLocksBeforeReturning() {
        return false; // the signalled thread completes the future after close() has returned
    }

    @Override
    boolean cancelledLockFreesItsRange() {
        return false; // the waiting thread carries on; the range stays in the JVM's table until close
    }

    @Override
    boolean heapBuffersWorkWithDirectIo() {
        return false; // its temporary direct buffers are not aligned: EINVAL
    }

    @Override
    boolean tryLockRacingCloseMayThrowAssertionError() {
        return true; // SimpleAsynchronousFileChannelImpl.tryLock: "should not get here"
    }

    @Override
    boolean fileChannelLockOfThisJvmIsOverlapping() {
        return true; // one JVM-wide lock table for FileChannel and AsynchronousFileChannel
    }
}
