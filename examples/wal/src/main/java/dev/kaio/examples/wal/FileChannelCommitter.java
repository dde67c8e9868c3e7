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
package dev.kaio.examples.wal;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The baseline's committer: the same batches, written with {@code FileChannel.write} (buffered) and
 * made durable with {@code force(false)} (fdatasync), one batch at a time: while a batch is written
 * and forced, the appenders fill the next one.
 */
final class FileChannelCommitter implements Runnable {

    private final WriteAheadLog log;
    private final FileChannel channel;

    FileChannelCommitter(WriteAheadLog log, FileChannel channel) {
        this.log = log;
        this.channel = channel;
    }

    @Override
    public void run() {
        log.lock.lock();
        try {
            while (true) {
                while (!log.hasUnsealed() && !log.closing() && !log.failed()) {
                    log.committerWake.awaitUninterruptibly();
                }
                if (log.failed() || !log.hasUnsealed()) {
                    break; // failed, or closing with everything committed
                }
                WriteAheadLog.Batch batch = log.seal();
                log.lock.unlock();
                IOException failure = null;
                try {
                    long position = batch.start();
                    for (MemorySegment s : log.segments(batch)) {
                        ByteBuffer b = s.asByteBuffer();
                        while (b.hasRemaining()) {
                            position += channel.write(b, position);
                        }
                    }
                    channel.force(false);
                } catch (IOException e) {
                    failure = e;
                } finally {
                    log.lock.lock();
                }
                if (failure != null) {
                    log.fail(new LogFailedException("writing or forcing the log's [" + batch.start() + ", "
                            + batch.end() + ") failed", failure));
                    break;
                }
                log.synced();
                log.reclaimed(batch.end());
                log.durable(batch.end());
            }
        } finally {
            log.lock.unlock();
        }
    }
}
