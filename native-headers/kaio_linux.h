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
/*
 * kaio_linux.h - the C surface kaio binds with jextract (see ../jextract.sh).
 *
 * Everything kaio needs from the kernel UAPI and glibc headers, gathered in one place so that
 * jextract sees exactly what gcc sees. We only add definitions that no public header provides
 * (marked KAIO-OWN below); everything else is an #include.
 */
#ifndef KAIO_LINUX_H
#define KAIO_LINUX_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <linux/aio_abi.h>   /* struct iocb, struct io_event, IOCB_CMD_*, IOCB_FLAG_* */
#include <linux/fs.h>        /* RWF_*, BLKSSZGET, BLKPBSZGET, BLKGETSIZE64 */
#include <linux/ioprio.h>    /* IOPRIO_CLASS_*, IOPRIO_CLASS_SHIFT */
#include <sys/uio.h>         /* struct iovec */
#include <sys/syscall.h>     /* SYS_io_setup ... (the __NR_io_* numbers) */
#include <sys/eventfd.h>     /* EFD_NONBLOCK, EFD_CLOEXEC, EFD_SEMAPHORE */
#include <sys/stat.h>        /* struct stat, struct statx, STATX_* (glibc >= 2.28) */
#include <sys/file.h>        /* LOCK_SH, LOCK_EX, LOCK_NB, LOCK_UN */
#include <sys/ioctl.h>
#include <fcntl.h>           /* O_*, AT_*, struct flock, F_OFD_* */
#include <poll.h>            /* POLLIN, POLLOUT, ... for IOCB_CMD_POLL */
#include <errno.h>           /* E* */
#include <limits.h>          /* IOV_MAX */
#include <unistd.h>

/*
 * KAIO-OWN: the header of the completion ring that io_setup maps into the process; the context id
 * returned by io_setup is its address. This struct is not in the UAPI headers: it is defined in the
 * kernel's fs/aio.c (struct aio_ring) and has kept this layout since Linux 2.6.19, because libaio,
 * fio (userspace_reap) and Seastar read it from user space. The io_events[] follow the header.
 */
struct kaio_aio_ring {
    unsigned id;                /* kernel internal index number */
    unsigned nr;                /* number of io_events */
    unsigned head;              /* written to by userland or under ring_lock */
    unsigned tail;
    unsigned magic;
    unsigned compat_features;
    unsigned incompat_features;
    unsigned header_length;     /* size of aio_ring */
    struct io_event io_events[];
};

/* KAIO-OWN: fs/aio.c constants for the ring header above. */
#define KAIO_AIO_RING_MAGIC 0xa10a10a1
#define KAIO_AIO_RING_COMPAT_FEATURES 1
#define KAIO_AIO_RING_INCOMPAT_FEATURES 0

#endif /* KAIO_LINUX_H */
