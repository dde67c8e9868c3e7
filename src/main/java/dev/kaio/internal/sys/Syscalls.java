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
package dev.kaio.internal.sys;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The five Linux AIO system calls, made through glibc's {@code syscall(2)} (there is no libaio
 * dependency: libaio's io_* functions are themselves thin wrappers over these).
 *
 * <p>Every handle is linked once, held in a {@code static final} field and called with
 * {@code invokeExact}. errno is captured by the linker ({@code captureCallState("errno")}) into a
 * segment the <em>caller</em> owns: one per engine, per submission slot, or per call, never a shared
 * static, so concurrent threads cannot read each other's errno.
 *
 * <p>All methods return the system call's non-negative result, or {@code -errno} on failure (the
 * kernel convention), so that the hot path allocates nothing and exceptions are built only by the
 * caller, on the error path. Pointer arguments are raw addresses: the caller keeps the memory they
 * point to alive for the duration of the call (and, for iocbs' buffers, until completion).
 *
 * <p>None of these handles uses {@code Linker.Option.critical}: io_submit and io_getevents can block.
 * Linking is a restricted operation: public entry points call {@link NativeAccess#ensureEnabled()}
 * before anything touches this class.
 */
public final class Syscalls {

    private static final Linker LINKER = Linker.nativeLinker();

    /** Layout of the call state the linker captures (errno on Linux). */
    public static final StructLayout ERRNO_STATE_LAYOUT = Linker.Option.captureStateLayout();

    private static final VarHandle ERRNO = ERRNO_STATE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final long NR_IO_SETUP = ArchConstants.NR_IO_SETUP;
    private static final long NR_IO_DESTROY = ArchConstants.NR_IO_DESTROY;
    private static final long NR_IO_SUBMIT = ArchConstants.NR_IO_SUBMIT;
    private static final long NR_IO_GETEVENTS = ArchConstants.NR_IO_GETEVENTS;
    private static final long NR_IO_CANCEL = ArchConstants.NR_IO_CANCEL;

    // long syscall(long number, ...): the variadic arguments are all passed as 64-bit integers, which
    // is what the kernel reads from the argument registers for ints, unsigned longs and pointers.
    private static final MethodHandle SYSCALL1 = linkSyscall(1);
    private static final MethodHandle SYSCALL2 = linkSyscall(2);
    private static final MethodHandle SYSCALL3 = linkSyscall(3);
    private static final MethodHandle SYSCALL5 = linkSyscall(5);

    private Syscalls() {}

    private static MethodHandle linkSyscall(int args) {
        MemoryLayout[] params = new MemoryLayout[args + 1];
        java.util.Arrays.fill(params, JAVA_LONG);
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, params),
                Linker.Option.firstVariadicArg(1),
                Linker.Option.captureCallState("errno"));
    }

    /** Reads errno from a capture segment after a failed call. */
    public static int errno(MemorySegment errnoState) {
        return (int) ERRNO.get(errnoState, 0L);
    }

    private static long result(long ret, MemorySegment errnoState) {
        return ret < 0 ? -errno(errnoState) : ret;
    }

    /** {@code io_setup(nr_events, ctxp)}: {@code ctxp} must point to a zeroed {@code aio_context_t}. */
    public static long ioSetup(MemorySegment errnoState, long nrEvents, long ctxp) {
        try {
            return result((long) SYSCALL2.invokeExact(errnoState, NR_IO_SETUP, nrEvents, ctxp), errnoState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code io_destroy(ctx)}: cancels what it can, waits for every in-flight request, unmaps the ring. */
    public static long ioDestroy(MemorySegment errnoState, long ctx) {
        try {
            return result((long) SYSCALL1.invokeExact(errnoState, NR_IO_DESTROY, ctx), errnoState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /** {@code io_submit(ctx, nr, iocbpp)}: returns how many of the {@code nr} iocbs were queued. */
    public static long ioSubmit(MemorySegment errnoState, long ctx, long nr, long iocbpp) {
        try {
            return result((long) SYSCALL3.invokeExact(errnoState, NR_IO_SUBMIT, ctx, nr, iocbpp), errnoState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * {@code io_getevents(ctx, min_nr, nr, events, timeout)}; {@code timeout} is the address of a
     * {@code struct timespec}, or 0 to wait without limit.
     */
    public static long ioGetevents(MemorySegment errnoState, long ctx, long minNr, long nr, long events, long timeout) {
        try {
            return result((long) SYSCALL5.invokeExact(errnoState, NR_IO_GETEVENTS, ctx, minNr, nr, events, timeout),
                    errnoState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    /**
     * Writes {@code nanos} into {@code timespec} (a {@code struct timespec}) and returns its address,
     * the {@code timeout} argument of {@link #ioGetevents}.
     */
    public static long timeout(MemorySegment timespec, long nanos) {
        dev.kaio.internal.linux.timespec.tv_sec(timespec, nanos / 1_000_000_000L);
        dev.kaio.internal.linux.timespec.tv_nsec(timespec, nanos % 1_000_000_000L);
        return timespec.address();
    }

    /** {@code io_cancel(ctx, iocb, result)}: {@code iocb} is the address of the iocb that was submitted. */
    public static long ioCancel(MemorySegment errnoState, long ctx, long iocb, long result) {
        try {
            return result((long) SYSCALL3.invokeExact(errnoState, NR_IO_CANCEL, ctx, iocb, result), errnoState);
        } catch (Throwable t) {
            throw linkageFailure(t);
        }
    }

    static AssertionError linkageFailure(Throwable t) {
        // invokeExact on a downcall handle declares Throwable but cannot throw for a well-typed call.
        return new AssertionError("native call failed unexpectedly", t);
    }
}
