package dev.kaio.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The matrix's expectations follow the kernel version where the kernel's behaviour changed. */
class MatrixExpectationsTest {

    @Test
    void expectationsFollowTheKernelRelease() {
        assertEquals("works", MatrixExpectations.expected("ext4", "O_DIRECT", "readv x1024", "6.18.44-fc-v669"));
        assertEquals("works", MatrixExpectations.expected("tmpfs", "O_DIRECT", "read", "6.6.0"));
        assertEquals("open: EINVAL", MatrixExpectations.expected("tmpfs", "O_DIRECT", "read", "6.1.0-56-amd64"));
        assertEquals("works", MatrixExpectations.expected("tmpfs", "buffered", "read", "6.1.0-56-amd64"));
        assertEquals("EINVAL", MatrixExpectations.expected("xfs", "buffered", "fdatasync", "4.17.19"));
        assertEquals("works", MatrixExpectations.expected("xfs", "buffered", "fdatasync", "4.18.0"));
        assertEquals("works", MatrixExpectations.expected("nfs v4.2", "O_DIRECT", "fsync", "6.1.0-56-amd64"));
    }
}
