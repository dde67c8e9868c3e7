package dev.kaio.bench;

import dev.kaio.AioContext;
import dev.kaio.AioFile;
import dev.kaio.AioOpenOption;
import dev.kaio.DirectBuffers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * kaio's file API: every request is a CompletableFuture; its completion callback (on the context's
 * reaper thread) counts it and submits the next request of the slot, so {@code depth} stay in flight.
 */
final class FileFuturesDriver implements Driver {

    private final Spec spec;
    private final boolean forceSyscalls;
    private final Completions completions = new Completions();
    private volatile boolean running = true;
    private AioContext ctx;
    private AioFile file;
    private Arena arena;
    private MemorySegment[] buffers;
    private SplittableRandom[] randoms;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    FileFuturesDriver(Spec spec, boolean forceSyscalls) {
        this.spec = spec;
        this.forceSyscalls = forceSyscalls;
    }

    @Override
    public void start() throws Exception {
        ctx = AioContext.open(spec.depth(), AioContext.Options.defaults().forceSyscalls(forceSyscalls));
        file = AioFile.open(ctx, spec.path(), StandardOpenOption.READ, StandardOpenOption.WRITE, AioOpenOption.DIRECT);
        arena = Arena.ofShared();
        buffers = new MemorySegment[spec.depth()];
        randoms = new SplittableRandom[spec.depth()];
        for (int i = 0; i < spec.depth(); i++) {
            buffers[i] = DirectBuffers.allocate(arena, spec.blockSize(), 4096);
            randoms[i] = new SplittableRandom(spec.seed() + i);
        }
        for (int slot = 0; slot < spec.depth(); slot++) {
            issue(slot);
        }
    }

    private void issue(int slot) {
        SplittableRandom r = randoms[slot];
        long pos = spec.position(r);
        inFlight.incrementAndGet();
        CompletableFuture<Integer> f = spec.isRead(r) ? file.read(buffers[slot], pos) : file.write(buffers[slot], pos);
        f.whenComplete(callbacks[slot]);
    }

    private BiConsumer<Integer, Throwable>[] callbacks;

    {
        @SuppressWarnings("unchecked")
        BiConsumer<Integer, Throwable>[] cbs = new BiConsumer[1024];
        callbacks = cbs;
    }

    @Override
    public long run(int ops) {
        return completions.await(ops);
    }

    void initCallbacks() {
        if (callbacks.length < spec.depth()) {
            @SuppressWarnings("unchecked")
            BiConsumer<Integer, Throwable>[] cbs = new BiConsumer[spec.depth()];
            callbacks = cbs;
        }
        for (int i = 0; i < spec.depth(); i++) {
            int slot = i;
            callbacks[i] = (n, e) -> {
                inFlight.decrementAndGet();
                if (e != null || n != spec.blockSize()) {
                    completions.fail(e != null ? e : new IllegalStateException("short transfer " + n));
                    return;
                }
                completions.complete();
                if (running) {
                    issue(slot);
                }
            };
        }
    }

    @Override
    public void close() throws Exception {
        running = false;
        while (inFlight.get() > 0) {
            Thread.sleep(1);
        }
        if (file != null) {
            file.close();
            ctx.close();
            arena.close();
        }
    }

    static FileFuturesDriver create(Spec spec, boolean forceSyscalls) {
        FileFuturesDriver d = new FileFuturesDriver(spec, forceSyscalls);
        d.initCallbacks();
        return d;
    }
}
