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
        return false; // its temporary direct buffers are not aligned: EINVAL (as a rule)
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
