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

import static dev.kaio.testing.TestFiles.randomBytes;
import static dev.kaio.testing.TestFiles.readWithFileChannel;
import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.DELETE_ON_CLOSE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kaio.testing.TestFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same assertions against the JDK's {@link AsynchronousFileChannel} and kaio's
 * {@link KaioFileChannel} ({@code JdkAsyncFileChannelTest}, {@code KaioAsyncFileChannelTest}): whatever passes for the JDK must pass for kaio.
 */
abstract class AsyncFileChannelConformance {

    abstract AsynchronousFileChannel open(Path path, OpenOption... options) throws IOException;

    abstract AsynchronousFileChannel open(Path path, Set<OpenOption> options, ExecutorService executor)
            throws IOException;

    Path dir;

    @BeforeEach
    void setUp() throws IOException {
        dir = TestFiles.newDirectory("conformance");
    }

    static <T> T get(Future<T> f) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    static ByteBuffer buffer(boolean direct, int size) {
        return direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    @ParameterizedTest(name = "direct buffer={0}")
    @ValueSource(booleans = {false, true})
    void readAtAPositionFillsFromTheBuffersPositionAndAdvancesIt(boolean direct) throws Exception {
        Path p = dir.resolve("r");
        byte[] data = randomBytes(1, 10_000);
        Files.write(p, data);
        try (AsynchronousFileChannel ch = open(p, READ)) {
            ByteBuffer b = buffer(direct, 1000);
            b.position(100).limit(600);
            assertEquals(500, get(ch.read(b, 2000)));
            assertEquals(600, b.position());
            assertEquals(600, b.limit());
            for (int i = 0; i < 500; i++) {
                assertEquals(data[2000 + i], b.get(100 + i));
            }
            assertEquals(0, b.get(99));
            // a read that crosses the end of file is short
            ByteBuffer tail = buffer(direct, 100);
            assertEquals(50, get(ch.read(tail, 9950)));
            assertEquals(50, tail.position());
        }
    }

    @ParameterizedTest(name = "direct buffer={0}")
    @ValueSource(booleans = {false, true})
    void endOfFileIsMinusOneAndAFullBufferIsZero(boolean direct) throws Exception {
        Path p = dir.resolve("eof");
        Files.write(p, new byte[100]);
        try (AsynchronousFileChannel ch = open(p, READ)) {
            assertEquals(-1, get(ch.read(buffer(direct, 10), 100)));
            assertEquals(-1, get(ch.read(buffer(direct, 10), 5000)));
            ByteBuffer full = buffer(direct, 10);
            full.position(10);
            assertEquals(0, get(ch.read(full, 0)));
            assertEquals(0, get(ch.read(buffer(direct, 0), 200)));
        }
    }

    @ParameterizedTest(name = "direct buffer={0}")
    @ValueSource(booleans = {false, true})
    void writesLandWhereAskedGrowTheFileAndAdvanceTheBuffer(boolean direct) throws Exception {
        Path p = dir.resolve("w");
        try (AsynchronousFileChannel ch = open(p, READ, WRITE, CREATE)) {
            ByteBuffer b = buffer(direct, 300);
            b.put(randomBytes(2, 300)).flip();
            b.position(50);
            assertEquals(250, get(ch.write(b, 1000)));
            assertEquals(300, b.position());
            assertEquals(1250, ch.size());
            ch.force(true);
            ch.force(false);
            byte[] expected = new byte[250];
            b.position(50);
            b.get(expected);
            assertArrayEquals(expected, readWithFileChannel(p, 1000, 250));
            assertArrayEquals(new byte[1000], readWithFileChannel(p, 0, 1000), "the hole reads as zeros");
            assertEquals(0, get(ch.write(buffer(direct, 0), 0)));
        }
    }

    @Test
    void manyOperationsInFlightAllLandCorrectly() throws Exception {
        Path p = dir.resolve("many");
        int n = 600;
        try (AsynchronousFileChannel ch = open(p, READ, WRITE, CREATE)) {
            List<Future<Integer>> writes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = (i % 2 == 0 ? ByteBuffer.allocate(512) : ByteBuffer.allocateDirect(512));
                while (b.hasRemaining()) {
                    b.put((byte) i);
                }
                writes.add(ch.write(b.flip(), i * 512L));
            }
            for (Future<Integer> w : writes) {
                assertEquals(512, get(w));
            }
            List<Future<Integer>> reads = new ArrayList<>();
            List<ByteBuffer> bufs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer b = (i % 3 == 0 ? ByteBuffer.allocateDirect(512) : ByteBuffer.allocate(512));
                bufs.add(b);
                reads.add(ch.read(b, i * 512L));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(512, get(reads.get(i)));
                assertEquals((byte) i, bufs.get(i).get(511));
            }
        }
    }

    @Test
    void completionHandlersAreInvokedExactlyOnceWithTheAttachment() throws Exception {
        Path p = dir.resolve("h");
        Files.write(p, randomBytes(3, 4096));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (AsynchronousFileChannel ch = open(p, Set.<OpenOption>of(READ, WRITE), pool)) {
            int n = 200;
            AtomicInteger completed = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(n + 1);
            List<Object> attachments = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletionHandler<Integer, Object> h = new CompletionHandler<>() {
                @Override
                public void completed(Integer result, Object attachment) {
                    if (result == 100) {
                        completed.incrementAndGet();
                    }
                    attachments.add(attachment);
                    done.countDown();
                }

                @Override
                public void failed(Throwable exc, Object attachment) {
                    failed.incrementAndGet();
                    attachments.add(attachment);
                    done.countDown();
                }
            };
            for (int i = 0; i < n; i++) {
                ch.read(ByteBuffer.allocate(100), i * 10L, "a" + i, h);
            }
            ch.write(ByteBuffer.allocate(100), 0, "w", h);
            assertTrue(done.await(30, TimeUnit.SECONDS));
            Thread.sleep(100); // a second invocation would show up here
            assertEquals(n + 1, completed.get());
            assertEquals(0, failed.get());
            assertEquals(n + 1, attachments.size());
            assertTrue(attachments.contains("a17") && attachments.contains("w"));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aClosedChannelFailsNewOperations() throws Exception {
        Path p = dir.resolve("closed");
        Files.write(p, new byte[100]);
        AsynchronousFileChannel ch = open(p, READ, WRITE);
        assertTrue(ch.isOpen());
        ch.close();
        ch.close();
        assertFalse(ch.isOpen());
        assertInstanceOf(ClosedChannelException.class,
                assertThrows(ExecutionException.class, () -> ch.read(ByteBuffer.allocate(10), 0).get()).getCause());
        assertInstanceOf(ClosedChannelException.class,
                assertThrows(ExecutionException.class, () -> ch.write(ByteBuffer.allocate(10), 0).get()).getCause());
        assertThrows(ClosedChannelException.class, ch::size);
        assertThrows(ClosedChannelException.class, () -> ch.truncate(1));
        assertThrows(ClosedChannelException.class, () -> ch.force(true));
        assertThrows(ClosedChannelException.class, ch::tryLock);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch latch = new CountDownLatch(1);
        ch.read(ByteBuffer.allocate(10), 0, null, new CompletionHandler<Integer, Object>() {
            @Override
            public void completed(Integer result, Object attachment) {
                calls.incrementAndGet();
                latch.countDown();
            }

            @Override
            public void failed(Throwable exc, Object attachment) {
                calls.incrementAndGet();
                failure.set(exc);
                latch.countDown();
            }
        });
        assertTrue(latch.await(10, TimeUnit.SECONDS));
        Thread.sleep(50);
        assertEquals(1, calls.get());
        assertInstanceOf(ClosedChannelException.class, failure.get());
    }

    @Test
    void argumentsAndModesAreCheckedLikeTheJdk() throws Exception {
        Path p = dir.resolve("args");
        Files.write(p, new byte[100]);
        try (AsynchronousFileChannel ro = open(p, READ)) {
            assertThrows(NonWritableChannelException.class, () -> ro.write(ByteBuffer.allocate(1), 0));
            assertThrows(NonWritableChannelException.class, () -> ro.truncate(1));
            assertThrows(NonWritableChannelException.class, () -> ro.tryLock(0, 1, false));
            assertThrows(IllegalArgumentException.class, () -> ro.read(ByteBuffer.allocate(1), -1));
            assertThrows(IllegalArgumentException.class, () -> ro.read(ByteBuffer.allocate(1).asReadOnlyBuffer(), 0));
            assertThrows(NullPointerException.class, () -> ro.read(null, 0));
            assertThrows(NullPointerException.class, () -> ro.read(ByteBuffer.allocate(1), 0, null, null));
        }
        try (AsynchronousFileChannel wo = open(p, WRITE)) {
            assertThrows(NonReadableChannelException.class, () -> wo.read(ByteBuffer.allocate(1), 0));
            assertThrows(NonReadableChannelException.class, () -> wo.tryLock(0, 1, true));
            assertThrows(IllegalArgumentException.class, () -> wo.write(ByteBuffer.allocate(1), -5));
            assertThrows(IllegalArgumentException.class, () -> wo.truncate(-1));
        }
        assertThrows(UnsupportedOperationException.class, () -> open(p, WRITE, APPEND));
        assertThrows(NoSuchFileException.class, () -> open(dir.resolve("missing"), READ));
        assertThrows(NoSuchFileException.class, () -> open(dir.resolve("missing"), READ, CREATE));
        assertThrows(FileAlreadyExistsException.class, () -> open(p, WRITE, CREATE_NEW));
    }

    @Test
    void sizeTruncateAndOpenOptions() throws Exception {
        Path p = dir.resolve("size");
        Files.write(p, new byte[1000]);
        try (AsynchronousFileChannel ch = open(p, READ, WRITE)) {
            assertEquals(1000, ch.size());
            assertSame(ch, ch.truncate(5000));
            assertEquals(1000, ch.size(), "truncate never grows a file");
            ch.truncate(300);
            assertEquals(300, ch.size());
        }
        try (AsynchronousFileChannel ch = open(p, WRITE, TRUNCATE_EXISTING)) {
            assertEquals(0, ch.size());
        }
        Path temp = dir.resolve("temp");
        try (AsynchronousFileChannel ch = open(temp, READ, WRITE, CREATE_NEW, DELETE_ON_CLOSE)) {
            // (the JDK unlinks the file right after opening it, kaio when closing: both are "on close")
            assertEquals(3, get(ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0)));
            assertEquals(3, ch.size());
        }
        assertFalse(Files.exists(temp));
    }

    @Test
    void locksOverlapRulesAndRelease() throws Exception {
        Path p = dir.resolve("lock");
        Files.write(p, new byte[1000]);
        try (AsynchronousFileChannel ch = open(p, READ, WRITE)) {
            FileLock a = ch.tryLock(0, 100, false);
            assertNotNull(a);
            assertTrue(a.isValid());
            assertFalse(a.isShared());
            assertSame(ch, a.acquiredBy());
            assertEquals(0, a.position());
            assertEquals(100, a.size());
            assertThrows(OverlappingFileLockException.class, () -> ch.tryLock(50, 100, false));
            assertThrows(OverlappingFileLockException.class, () -> ch.lock(99, 1, true));
            FileLock b = get(ch.lock(100, 100, true));
            assertTrue(b.isShared());
            assertTrue(b.isValid());
            a.release();
            assertFalse(a.isValid());
            a.release(); // idempotent
            FileLock c = ch.tryLock(0, 50, false);
            assertNotNull(c);
            // lock() through the handler form
            CountDownLatch latch = new CountDownLatch(1);
            AtomicReference<FileLock> got = new AtomicReference<>();
            ch.lock(500, 10, false, null, new CompletionHandler<FileLock, Object>() {
                @Override
                public void completed(FileLock result, Object attachment) {
                    got.set(result);
                    latch.countDown();
                }

                @Override
                public void failed(Throwable exc, Object attachment) {
                    latch.countDown();
                }
            });
            assertTrue(latch.await(10, TimeUnit.SECONDS));
            assertNotNull(got.get());
            assertTrue(got.get().isValid());
            ch.close();
            assertFalse(b.isValid(), "closing the channel invalidates its locks");
            assertFalse(got.get().isValid());
            assertThrows(ClosedChannelException.class, b::release);
        }
        // after close, the whole file can be locked again
        try (AsynchronousFileChannel ch = open(p, READ, WRITE)) {
            FileLock all = ch.tryLock();
            assertNotNull(all);
            assertEquals(Long.MAX_VALUE, all.size());
        }
    }
}
