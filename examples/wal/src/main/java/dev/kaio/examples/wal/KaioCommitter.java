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

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.IoOptions;
import dev.kaio.RwFlag;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The committer of the kaio modes: seals batches, submits each as one PWRITEV (O_DIRECT), keeps up to
 * {@code writesInFlight} of them in flight, and makes them durable: with FDSYNC, one sync at a time
 * covering every batch whose write completed before it was submitted; with RWF_DSYNC, each write.
 *
 * <p>All decisions are taken under the log's lock; requests are submitted outside it (io_submit
 * takes a few microseconds that appenders need not wait for). The log's context is in eventfd mode
 * (no reaper thread): while requests are in flight this thread collects their completions itself
 * ({@link AioContext#awaitCompletions}), so the kernel's completion wakes the thread that acts on it,
 * with no hand-off through another thread. A record appended meanwhile is picked up when the next
 * completion arrives or after {@link #COLLECT_WAIT_MICROS} at most; with nothing in flight, this
 * thread waits on the log's condition, which appenders signal.
 */
final class KaioCommitter implements Runnable {

    private static final IoOptions DSYNC = IoOptions.of(RwFlag.DSYNC);

    /** How long one wait for completions lasts at most, so that new records are not left waiting. */
    static final long COLLECT_WAIT_MICROS = Long.getLong("wal.collectWaitMicros", 100);

    private final AioContext context;

    private final WriteAheadLog log;
    private final AioFile file;
    private final boolean dsync;
    private final int writesInFlight;

    /** A batch on its way to the device. */
    private record Write(WriteAheadLog.Batch batch, CompletableFuture<Long> future) {}

    /** An FDSYNC, and the end of the completed writes it covers. */
    private record Sync(long covers, CompletableFuture<Void> future) {}

    KaioCommitter(WriteAheadLog log, AioContext context, AioFile file, CommitMode mode, int writesInFlight) {
        this.log = log;
        this.context = context;
        this.file = file;
        this.dsync = mode == CommitMode.RWF_DSYNC;
        this.writesInFlight = writesInFlight;
    }

    @Override
    public void run() {
        ArrayDeque<Write> writes = new ArrayDeque<>(); // in submission order = log order
        Sync sync = null;
        long written = -1;                              // end of the completed prefix of batch writes
        log.lock.lock();
        try {
            while (true) {
                // what completed, in log order (batch k+1 may finish first: it is then retired after k)
                while (!writes.isEmpty() && writes.peekFirst().future().isDone()) {
                    Write w = writes.pollFirst();
                    Throwable t = IoFutures.failure(w.future());
                    if (t == null && w.future().join() != w.batch().length()) {
                        t = new java.io.IOException("short write: " + w.future().join() + " of " + w.batch().length()
                                + " bytes at " + w.batch().start());
                    }
                    if (t != null) {
                        log.fail(new LogFailedException("the write of the log's [" + w.batch().start() + ", "
                                + w.batch().end() + ") failed", IoFutures.asIOException(t)));
                        continue;
                    }
                    written = w.batch().end();
                    log.reclaimed(written);
                    if (dsync) {
                        log.durable(written); // RWF_DSYNC: durable when the write completed
                    }
                }
                if (sync != null && sync.future().isDone()) {
                    Throwable t = IoFutures.failure(sync.future());
                    if (t != null) {
                        log.fail(new LogFailedException("fdatasync of the log failed: what it covered (up to "
                                + sync.covers() + ") may not be durable", IoFutures.asIOException(t)));
                    } else {
                        log.durable(sync.covers());
                    }
                    sync = null;
                }
                if (log.failed()) {
                    break;
                }
                // what to submit: a sync of the completed writes, the next batch
                long syncUpTo = !dsync && sync == null && written > log.durablePositionLocked() ? written : -1;
                WriteAheadLog.Batch batch = writes.size() < writesInFlight && log.hasUnsealed() ? log.seal() : null;
                if (syncUpTo < 0 && batch == null) {
                    if (log.closing() && writes.isEmpty() && sync == null && !log.hasUnsealed()) {
                        break;
                    }
                    if (writes.isEmpty() && sync == null) {
                        log.committerWake.awaitUninterruptibly(); // nothing in flight: an appender wakes us
                    } else {
                        log.lock.unlock();
                        try {
                            context.awaitCompletions(COLLECT_WAIT_MICROS, TimeUnit.MICROSECONDS);
                        } finally {
                            log.lock.lock();
                        }
                    }
                    continue;
                }
                log.lock.unlock();
                try {
                    if (syncUpTo >= 0) {
                        CompletableFuture<Void> f = file.fdatasync();
                        sync = new Sync(syncUpTo, f);
                    }
                    if (batch != null) {
                        CompletableFuture<Long> f = dsync ? file.writev(log.segments(batch), batch.start(), DSYNC)
                                : file.writev(log.segments(batch), batch.start());
                        writes.addLast(new Write(batch, f));
                    }
                } catch (RuntimeException e) {
                    log.lock.lock();
                    log.fail(new LogFailedException("submitting to the log failed", e));
                    break;
                }
                log.lock.lock();
                if (syncUpTo >= 0) {
                    log.synced();
                }
            }
        } finally {
            log.lock.unlock();
        }
        // the ring belongs to the kernel until every request has completed
        for (Write w : writes) {
            collectUntilDone(w.future());
        }
        if (sync != null) {
            collectUntilDone(sync.future());
        }
    }

    private void collectUntilDone(CompletableFuture<?> f) {
        while (!f.isDone() && context.awaitCompletions(COLLECT_WAIT_MICROS, TimeUnit.MICROSECONDS) >= 0) {
            // this thread is the one that collects the log's completions
        }
    }
}
