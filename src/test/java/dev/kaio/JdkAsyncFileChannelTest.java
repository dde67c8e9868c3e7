package dev.kaio;

import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/** The conformance suite against the JDK's own channel: the reference kaio must match. */
class JdkAsyncFileChannelTest extends AsyncFileChannelConformance {

    @Override
    AsynchronousFileChannel open(Path path, OpenOption... options) throws IOException {
        return AsynchronousFileChannel.open(path, options);
    }

    @Override
    AsynchronousFileChannel open(Path path, Set<OpenOption> options, ExecutorService executor) throws IOException {
        return AsynchronousFileChannel.open(path, options, executor);
    }
}
