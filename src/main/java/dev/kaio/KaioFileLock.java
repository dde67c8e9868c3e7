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
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileLock;

/**
 * An open-file-description lock held through a {@link KaioFileChannel}: valid until released or until
 * the channel closes (closing the descriptor drops every OFD lock on it).
 */
final class KaioFileLock extends FileLock {

    private final KaioFileChannel channel;
    private final FileLocks.Range range;
    private volatile boolean released;

    KaioFileLock(KaioFileChannel channel, FileLocks.Range range, boolean shared) {
        super(channel, range.position, range.size, shared);
        this.channel = channel;
        this.range = range;
    }

    @Override
    public boolean isValid() {
        return !released && channel.isOpen();
    }

    /**
     * Unlocks the range (F_UNLCK on the pinned descriptor). As the JDK's: ClosedChannelException once
     * the channel is closed, also while a close() runs; a no-op on a lock already released.
     */
    @Override
    public synchronized void release() throws IOException {
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        if (!released) {
            channel.unlock(range);
            released = true;
        }
    }
}
