package dev.kaio;

import java.nio.file.OpenOption;

/**
 * Open options beyond {@link java.nio.file.StandardOpenOption} for files used with kaio.
 * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} is accepted as a synonym of {@link #DIRECT}.
 */
public enum AioOpenOption implements OpenOption {
    /**
     * {@code O_DIRECT}: transfer between the device and the caller's buffer, bypassing the page
     * cache. Buffer address, length and file position must then be multiples of the file's
     * {@link AioFile#alignment() alignment}; otherwise the kernel fails the request with EINVAL.
     */
    DIRECT,
    /** {@code O_NOATIME}: do not update the access time (owner or CAP_FOWNER only; EPERM otherwise). */
    NOATIME
}
