/*
 * Read-only files served from memory at fixed absolute paths (fd.h):
 * /etc/resolv.conf and /etc/hosts from the network configuration. A
 * short list: there are only ever a handful.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fd_impl.h"
#include "rt.h"

struct memfile {
	struct memfile *next;
	const char *path;
	const char *data;
	size_t len;
	ino_t ino;
};

struct open_memfile {
	const struct memfile *m;
	size_t off;
};

static struct memfile *files;
static ino_t next_ino = 1000;

int ember_memfile_register(const char *path, const char *data, size_t len)
{
	struct memfile *m;

	for (m = files; m; m = m->next) {
		if (strcmp(m->path, path) == 0) {
			m->data = data; /* registered again: the new contents */
			m->len = len;
			return 0;
		}
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->path = path;
	m->data = data;
	m->len = len;
	m->ino = next_ino++;
	m->next = files;
	files = m;
	return 0;
}

static const struct memfile *find(const char *path)
{
	for (const struct memfile *m = files; m; m = m->next)
		if (strcmp(m->path, path) == 0)
			return m;
	return NULL;
}

static void fill_stat(const struct memfile *m, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFREG | 0444;
	st->st_nlink = 1;
	st->st_ino = m->ino;
	st->st_size = (off_t)m->len;
	st->st_blksize = 4096;
	st->st_blocks = (blkcnt_t)((m->len + 511) / 512);
}

long ember_memfile_pread(struct ember_file *f, void *buf, size_t len, long off)
{
	const struct memfile *m = ((struct open_memfile *)f->priv)->m;

	if ((size_t)off >= m->len)
		return 0;
	if (len > m->len - (size_t)off)
		len = m->len - (size_t)off;
	memcpy(buf, m->data + off, len);
	return (long)len;
}

static long mf_read(struct ember_file *f, void *buf, size_t len)
{
	struct open_memfile *o = f->priv;
	long r = ember_memfile_pread(f, buf, len, (long)o->off);

	o->off += (size_t)r;
	return r;
}

long ember_memfile_lseek(struct ember_file *f, long off, int whence)
{
	struct open_memfile *o = f->priv;
	long base;

	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (long)o->off;
		break;
	case SEEK_END:
		base = (long)o->m->len;
		break;
	default:
		return -EINVAL;
	}
	if ((off < 0 && base + off < 0) || (off > 0 && off > LONG_MAX - base))
		return -EINVAL;
	o->off = (size_t)(base + off);
	return base + off;
}

static long mf_fstat(struct ember_file *f, struct stat *st)
{
	fill_stat(((struct open_memfile *)f->priv)->m, st);
	return 0;
}

static void mf_close(struct ember_file *f)
{
	free(f->priv);
}

static const struct ember_file_ops memfile_ops = {
    .read = mf_read,
    .fstat = mf_fstat,
    .close = mf_close,
};

/* open(path, flags) of a memory file: fd or -errno (-ENOENT when there
 * is no such file, as for every other path). */
int ember_memfile_open(const char *path, long flags)
{
	const struct memfile *m = find(path);
	struct open_memfile *o;
	struct ember_file *f;
	int fd;

	if (!m)
		return -ENOENT;
	if ((flags & O_CREAT) && (flags & O_EXCL))
		return -EEXIST;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		return -EROFS;
	o = calloc(1, sizeof(*o));
	f = o ? ember_file_new(&memfile_ops, EMBER_FILE_MEMFILE, O_RDONLY, o)
	      : NULL;
	if (!f) {
		free(o);
		return -ENOMEM;
	}
	o->m = m;
	fd = ember_fd_install(f, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		ember_file_put(f);
	return fd;
}

int ember_memfile_stat(const char *path, struct stat *st)
{
	const struct memfile *m = find(path);

	if (!m)
		return -ENOENT;
	fill_stat(m, st);
	return 0;
}
