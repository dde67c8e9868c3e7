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
 * faultfs: a FUSE filesystem for kaio's fault-injection tests. It serves one file, /data, backed by
 * a real file, and fails every read or write that touches [bad_offset, bad_offset + bad_length) with
 * EIO. Files are opened with direct_io, so each request reaches this process unchanged (no page
 * cache, no readahead) and exactly the requests touching the bad range fail.
 *
 *   faultfs BACKING_FILE BAD_OFFSET BAD_LENGTH MOUNTPOINT   (runs in the foreground, single-threaded)
 *
 * Compiled by FaultInjectionTest at test time: gcc faultfs.c $(pkg-config --cflags --libs fuse3)
 */
#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int backing = -1;
static off_t bad_start, bad_end;
static const char *NAME = "/data";

static int overlaps_bad(off_t off, size_t len) {
    return off < bad_end && (off_t) (off + len) > bad_start;
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
        struct stat b;
        if (fstat(backing, &b) < 0) return -errno;
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = b.st_size;
        st->st_blksize = 4096;
        st->st_blocks = b.st_blocks;
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
    return 0;
}

static int fs_open(const char *path, struct fuse_file_info *fi) {
    if (strcmp(path, NAME) != 0) return -ENOENT;
    fi->direct_io = 1;   /* every request comes here as it was issued */
    fi->keep_cache = 0;
    return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    if (overlaps_bad(off, size)) return -EIO;
    ssize_t n = pread(backing, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    if (overlaps_bad(off, size)) return -EIO;
    ssize_t n = pwrite(backing, buf, size, off);
    return n < 0 ? -errno : (int) n;
}

static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi) {
    (void) path; (void) fi;
    return ftruncate(backing, size) < 0 ? -errno : 0;
}

static int fs_fsync(const char *path, int datasync, struct fuse_file_info *fi) {
    (void) path; (void) fi;
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
    if (argc != 5) {
        fprintf(stderr, "usage: %s BACKING_FILE BAD_OFFSET BAD_LENGTH MOUNTPOINT\n", argv[0]);
        return 2;
    }
    backing = open(argv[1], O_RDWR);
    if (backing < 0) { perror(argv[1]); return 1; }
    bad_start = strtoll(argv[2], NULL, 10);
    bad_end = bad_start + strtoll(argv[3], NULL, 10);
    char *fargv[] = {argv[0], "-f", "-s", "-o", "default_permissions", argv[4], NULL};
    return fuse_main(6, fargv, &ops, NULL);
}
