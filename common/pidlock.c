#include "pidlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int pidlock_path(const char *sock_path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.lock", sock_path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static pid_t read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	pid = strtol(buf, NULL, 10);
	return pid > 0 ? (pid_t)pid : 0;
}

int pidlock_take(const char *sock_path, pid_t *holder)
{
	char path[4096], dir[4096], pid[32];
	char *slash;
	int fd, n, rc;

	*holder = 0;
	if ((rc = pidlock_path(sock_path, path, sizeof(path))) < 0)
		return rc;
	/* like systemd's RuntimeDirectory=, for runs outside systemd */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		if (rc == -EWOULDBLOCK)
			*holder = read_pid(fd);
		close(fd);
		return rc;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}
