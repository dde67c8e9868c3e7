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
 * faultfs: a FUSE filesystem for kaio's fault-injection and durability tests. It serves one file,
 * /data, backed by a real file, and a read-only /stats that counts what reached it.
 *
 *   faultfs [--lazy] BACKING_FILE BAD_OFFSET BAD_LENGTH MOUNTPOINT   (foreground, single-threaded)
 *
 * Faults: every read or write that touches [BAD_OFFSET, BAD_OFFSET + BAD_LENGTH) fails with EIO
 * (BAD_LENGTH 0: none). Files are opened with direct_io, so each request reaches this process as it
 * was issued (no kernel page cache, no readahead) and exactly the requests touching the range fail.
 *
 * --lazy: a power-loss simulation in the spirit of Jepsen's LazyFS. BACKING_FILE is the "disk"; this
 * process's memory is the volatile cache in front of it. A write lands in memory only (reads see it);
 * it reaches BACKING_FILE when an fsync or fdatasync of /data arrives (everything in memory is then
 * written and fdatasync'ed/fsync'ed on the backing file), or at once if the write itself carries
 * O_DSYNC/O_SYNC (the kernel passes RWF_DSYNC/RWF_SYNC on to FUSE in the write's flags; only that
 * write's bytes are made durable, as with a real filesystem). The "crash" is SIGKILL of this process:
 * whatever was not synced vanishes with it, and BACKING_FILE holds exactly what was made durable.
 * Truncation is not delayed (it goes to BACKING_FILE at once): kaio's tests do not truncate /data.
 *
 * /stats (text, one "name value" per line): writes, dsync_writes, sync_writes, fsyncs, fdatasyncs,
 * dirty_pages, eio. The tests read it to see which kind of sync reached the filesystem.
 *
 * Compiled by the tests at test time: gcc faultfs.c $(pkg-config --cflags --libs fuse3)
 */
#define FUSE_USE_VERSION 31
#define _GNU_SOURCE
#include <fuse.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096

static int backing = -1;
static off_t bad_start, bad_end;
static int lazy;
static const char *NAME = "/data";
static const char *STATS = "/stats";

/* --lazy: the unsynced contents, one PAGE-sized copy per page written since the last sync */
static unsigned char **pages;
static size_t page_slots;
static off_t size;                     /* the file's size as readers see it */

static struct {
    long writes, dsync_writes, sync_writes, fsyncs, fdatasyncs, eio;
} stats;

static int overlaps_bad(off_t off, size_t len) {
    return off < bad_end && (off_t) (off + len) > bad_start;
}

static long dirty_pages(void) {
    long n = 0;
    for (size_t i = 0; i < page_slots; i++) n += pages[i] != NULL;
    return n;
}

static off_t backing_size(void) {
    struct stat b;
    return fstat(backing, &b) < 0 ? -1 : b.st_size;
}

static off_t file_size(void) {
    return lazy ? size : backing_size();
}

/* The in-memory copy of page p, made from the backing file the first time it is written. */
static unsigned char *page_for_write(size_t p) {
    if (p >= page_slots) {
        size_t n = page_slots ? page_slots : 256;
        while (n <= p) n *= 2;
        unsigned char **grown = realloc(pages, n * sizeof *pages);
        if (!grown) return NULL;
        memset(grown + page_slots, 0, (n - page_slots) * sizeof *pages);
        pages = grown;
        page_slots = n;
    }
    if (!pages[p]) {
        unsigned char *copy = calloc(1, PAGE);
        if (!copy) return NULL;
        /* only bytes below the reader-visible size exist; past it a page starts as zeros */
        off_t start = (off_t) p * PAGE;
        if (start < size) {
            size_t want = (size_t) (size - start) < PAGE ? (size_t) (size - start) : PAGE;
            if (pread(backing, copy, want, start) < 0) { free(copy); return NULL; }
        }
        pages[p] = copy;
    }
    return pages[p];
}

/* Writes every unsynced page to the backing file, then syncs it: the only way data becomes durable. */
static int persist_all(int datasync) {
    for (size_t p = 0; p < page_slots; p++) {
        if (!pages[p]) continue;
        off_t start = (off_t) p * PAGE;
        if (start < size) {
            size_t len = (size_t) (size - start) < PAGE ? (size_t) (size - start) : PAGE;
            if (pwrite(backing, pages[p], len, start) != (ssize_t) len) return -EIO;
        }
        free(pages[p]);
        pages[p] = NULL;
    }
    if (backing_size() != size && ftruncate(backing, size) < 0) return -errno;
    return (datasync ? fdatasync(backing) : fsync(backing)) < 0 ? -errno : 0;
}

static int fs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
    (void) fi;
    memset(st, 0, sizeof *st);
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, NAME) == 0) {
        off_t s = file_size();
        if (s < 0) return -errno;
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = s;
        st->st_blksize = PAGE;
        st->st_blocks = (s + 511) / 512;
        return 0;
    }
    if (strcmp(path, STATS) == 0) {
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = 0;   /* generated on read; direct_io reads past the size */
        return 0;
    }
    return -ENOENT;
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                      enum fuse_readdir_flags flags) {
    (void) off; (void) fi; (void) flags;
    if (strcmp(path, "/") != 0) return -ENOENT;
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    fill(buf, NAME + 1, NULL, 0, 0);
    fill(buf, STATS + 1, NULL, 0, 0);
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
    if (strcmp(path, STATS) == 0) {
        if ((fi->flags & O_ACCMODE) != O_RDONLY) return -EACCES;
    } else if (strcmp(path, NAME) != 0) {
        return -ENOENT;
    }
    fi->direct_io = 1;   /* every request comes here as it was issued */
    fi->keep_cache = 0;
    return 0;
}

static int read_stats(char *buf, size_t len, off_t off) {
    char text[512];
    int n = snprintf(text, sizeof text,
                     "writes %ld\ndsync_writes %ld\nsync_writes %ld\nfsyncs %ld\nfdatasyncs %ld\ndirty_pages %ld\neio %ld\n",
                     stats.writes, stats.dsync_writes, stats.sync_writes, stats.fsyncs, stats.fdatasyncs,
                     dirty_pages(), stats.eio);
    if (off >= n) return 0;
    size_t k = (size_t) (n - off) < len ? (size_t) (n - off) : len;
    memcpy(buf, text + off, k);
    return (int) k;
}

static int fs_read(const char *path, char *buf, size_t len, off_t off, struct fuse_file_info *fi) {
    (void) fi;
    if (strcmp(path, STATS) == 0) return read_stats(buf, len, off);
    if (overlaps_bad(off, len)) { stats.eio++; return -EIO; }
    if (!lazy) {
        ssize_t n = pread(backing, buf, len, off);
        return n < 0 ? -errno : (int) n;
    }
    if (off >= size) return 0;
    if ((off_t) (off + len) > size) len = (size_t) (size - off);
    size_t done = 0;
    while (done < len) {
        off_t pos = off + (off_t) done;
        size_t p = (size_t) (pos / PAGE), in = (size_t) (pos % PAGE);
        size_t k = PAGE - in < len - done ? PAGE - in : len - done;
        if (p < page_slots && pages[p]) {
            memcpy(buf + done, pages[p] + in, k);
        } else {
            ssize_t n = pread(backing, buf + done, k, pos);
            if (n < 0) return -errno;
            memset(buf + done + n, 0, k - (size_t) n);   /* a hole, or not yet on the disk */
        }
        done += k;
    }
    return (int) len;
}

static int fs_write(const char *path, const char *buf, size_t len, off_t off, struct fuse_file_info *fi) {
    (void) path;
    if (overlaps_bad(off, len)) { stats.eio++; return -EIO; }
    stats.writes++;
    /* O_SYNC is __O_SYNC | O_DSYNC: the kernel sets these for RWF_SYNC / RWF_DSYNC (or O_SYNC / O_DSYNC opens) */
    int sync = (fi->flags & O_SYNC) == O_SYNC, dsync = !sync && (fi->flags & O_DSYNC);
    stats.sync_writes += sync;
    stats.dsync_writes += dsync;
    if (!lazy) {
        ssize_t n = pwrite(backing, buf, len, off);
        return n < 0 ? -errno : (int) n;
    }
    if (sync || dsync) {
        /* durable on return: this write's bytes (not other unsynced ones) go to the disk and are synced */
        if (pwrite(backing, buf, len, off) != (ssize_t) len) return -EIO;
        if ((sync ? fsync(backing) : fdatasync(backing)) < 0) return -errno;
    }
    size_t done = 0;
    while (done < len) {
        off_t pos = off + (off_t) done;
        size_t p = (size_t) (pos / PAGE), in = (size_t) (pos % PAGE);
        size_t k = PAGE - in < len - done ? PAGE - in : len - done;
        if (sync || dsync) {
            /* on the disk already; a page held in memory (with other unsynced bytes) must show it too */
            if (p < page_slots && pages[p]) memcpy(pages[p] + in, buf + done, k);
        } else {
            unsigned char *page = page_for_write(p);
            if (!page) return -ENOMEM;
            memcpy(page + in, buf + done, k);
        }
        done += k;
    }
    if ((off_t) (off + len) > size) size = off + (off_t) len;
    return (int) len;
}

static int fs_truncate(const char *path, off_t to, struct fuse_file_info *fi) {
    (void) fi;
    if (strcmp(path, NAME) != 0) return -EACCES;
    if (ftruncate(backing, to) < 0) return -errno;
    if (lazy) {
        for (size_t p = 0; p < page_slots; p++) {
            off_t start = (off_t) p * PAGE;
            if (pages[p] && start >= to) { free(pages[p]); pages[p] = NULL; }
            else if (pages[p] && start + PAGE > to) memset(pages[p] + (to - start), 0, (size_t) (start + PAGE - to));
        }
        size = to;
    }
    return 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) fi;
    if (strcmp(path, NAME) != 0) return 0;
    if (datasync) stats.fdatasyncs++; else stats.fsyncs++;
    if (lazy) return persist_all(datasync);
    return (datasync ? fdatasync(backing) : fsync(backing)) < 0 ? -errno : 0;
}

static const struct fuse_operations ops = {
    .getattr = fs_getattr,
    .readdir = fs_readdir,
    .open = fs_open,
    .read = fs_read,
    .write = fs_write,
    .truncate = fs_truncate,
    .fsync = fs_fsync,
};

int main(int argc, char **argv) {
    int a = 1;
    if (argc > 1 && strcmp(argv[1], "--lazy") == 0) { lazy = 1; a++; }
    if (argc - a != 4) {
        fprintf(stderr, "usage: %s [--lazy] BACKING_FILE BAD_OFFSET BAD_LENGTH MOUNTPOINT\n", argv[0]);
        return 2;
    }
    backing = open(argv[a], O_RDWR);
    if (backing < 0) { perror(argv[a]); return 1; }
    size = backing_size();
    bad_start = strtoll(argv[a + 1], NULL, 10);
    bad_end = bad_start + strtoll(argv[a + 2], NULL, 10);
    char *fargv[] = {argv[0], "-f", "-s", "-o", "default_permissions", argv[a + 3], NULL};
    return fuse_main(6, fargv, &ops, NULL);
}
