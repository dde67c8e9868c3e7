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
package dev.kaio.testing;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.PollEvents;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Run in a JVM whose virtual-thread scheduler has ONE carrier (VirtualThreadTest starts it). Each step
 * waits for what it needs to have happened, observed, never for time to pass:
 * <ol>
 *   <li>virtual thread A polls a pipe nobody has written, on a context of depth 1, and waits on the
 *       future: the poll holds the only slot ({@code inFlight() == 1}) and A is WAITING;</li>
 *   <li>virtual thread B asks for a read: no slot is free, so B waits for one (back-pressure), observed
 *       as B WAITING inside {@code AioFile.read}, which has not returned, with every slot in flight;</li>
 *   <li>virtual thread C writes the pipe. With one carrier, C can run only if A and B gave it up while
 *       they wait; then A's poll completes, its slot goes to B, and B's read completes.</li>
 * </ol>
 * Prints what it observed and "OK ..." at the end, or "FAIL: ..." and exits with status 1. A hang (a
 * waiting virtual thread pinning the carrier) is bounded by the guards and fails the same way.
 */
public final class VirtualThreadMain {

    private static final long GUARD_NANOS = TimeUnit.SECONDS.toNanos(20);

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Files.write(file, new byte[4096]);
        System.out.println("carriers: jdk.virtualThreadScheduler.parallelism="
                + System.getProperty("jdk.virtualThreadScheduler.parallelism"));
        int[] pipe = Fds.pipe();
        try (Arena arena = Arena.ofShared();
                AioContext ctx = AioContext.open(1);
                AioFile f = AioFile.open(ctx, file, StandardOpenOption.READ)) {
            CompletableFuture<Integer> polled = new CompletableFuture<>();
            Thread a = Thread.ofVirtual().name("A").start(() -> {
                try {
                    polled.complete(ctx.poll(pipe[0], PollEvents.POLLIN).join());
                } catch (Throwable t) {
                    polled.completeExceptionally(t);
                }
            });
            await("A's poll holds the only slot and A waits on it",
                    () -> ctx.inFlight() == 1 && a.getState() == Thread.State.WAITING, a);
            System.out.println("A waits on its poll: " + a.getState() + ", inFlight " + ctx.inFlight() + " of "
                    + ctx.queueDepth());

            AtomicBoolean readReturned = new AtomicBoolean();
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread b = Thread.ofVirtual().name("B").start(() -> {
                try {
                    CompletableFuture<Integer> r = f.read(arena.allocate(4096), 0); // no free slot: waits here
                    readReturned.set(true);
                    read.complete(r.join());
                } catch (Throwable t) {
                    read.completeExceptionally(t);
                }
            });
            await("B waits for a free slot inside AioFile.read", () -> b.getState() == Thread.State.WAITING
                    && insideAioFileRead(b) && !readReturned.get() && ctx.inFlight() == ctx.queueDepth(), b);
            System.out.println("B waits for a slot: " + b.getState() + " inside AioFile.read, which has not returned, "
                    + "inFlight " + ctx.inFlight() + " of " + ctx.queueDepth() + ", A " + a.getState());

            Thread c = Thread.ofVirtual().name("C").start(() -> {
                try {
                    Fds.write(pipe[1], new byte[] {1});
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            for (Thread t : new Thread[] {c, a, b}) {
                if (!t.join(java.time.Duration.ofNanos(GUARD_NANOS))) {
                    fail("virtual thread " + t.getName() + " did not finish: the only carrier is pinned", t);
                }
            }
            int revents = polled.get();
            int n = read.get();
            System.out.println("OK written revents=" + revents + " read=" + n);
        } finally {
            Fds.close(pipe[0]);
            Fds.close(pipe[1]);
        }
    }

    /** True if {@code t} is, right now, inside {@code dev.kaio.AioFile.read} (the public call that waits). */
    private static boolean insideAioFileRead(Thread t) {
        return Arrays.stream(t.getStackTrace())
                .anyMatch(e -> e.getClassName().equals("dev.kaio.AioFile") && e.getMethodName().equals("read"));
    }

    /** Returns once {@code condition} holds; fails (exit 1) if it does not within the hang guard. */
    private static void await(String what, BooleanSupplier condition, Thread subject) {
        long deadline = System.nanoTime() + GUARD_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("never observed: " + what, subject);
            }
            Thread.onSpinWait(); // this is a platform thread: it does not take the virtual threads' carrier
        }
    }

    private static void fail(String message, Thread subject) {
        System.out.println("FAIL: " + message + "; " + subject.getName() + " is " + subject.getState() + " at");
        for (StackTraceElement e : subject.getStackTrace()) {
            System.out.println("    " + e);
        }
        System.out.flush();
        Runtime.getRuntime().halt(1);
    }
}
