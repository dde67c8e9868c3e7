package dev.kaio;

/**
 * What the running kernel's AIO implementation supports, probed once per JVM with real requests
 * (see {@link Aio#features()}).
 *
 * @param kernelRelease   the kernel release ({@code uname -r})
 * @param fsync           IOCB_CMD_FSYNC works (Linux 4.18+)
 * @param fdsync          IOCB_CMD_FDSYNC works (Linux 4.18+)
 * @param poll            IOCB_CMD_POLL works (Linux 4.18+)
 * @param nowait          RWF_NOWAIT is accepted in aio_rw_flags (Linux 4.13+)
 * @param dioAlign        statx answers STATX_DIOALIGN (Linux 6.1+), so {@link AioFile#alignment()} comes
 *                        from the kernel where the filesystem supports it
 * @param details         one line per probe: what the kernel answered
 */
public record AioFeatures(String kernelRelease, boolean fsync, boolean fdsync, boolean poll, boolean nowait,
        boolean dioAlign, java.util.Map<String, String> details) {
}
