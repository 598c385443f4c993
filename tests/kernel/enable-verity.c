/* enable-verity FILE...: FS_IOC_ENABLE_VERITY with the kernel's defaults
 * (sha256, 4096-byte blocks, no salt), what `fsverity enable` does. Built
 * statically by run-kernel-appraisal.sh for the initramfs: busybox has no
 * fsverity, and the host kernel has no ext4 fs-verity to enable it there.
 * Prints one line per file: "VERITY <file> OK" or "VERITY <file> FAILED <why>". */
#include <errno.h>
#include <fcntl.h>
#include <linux/fsverity.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int failed = 0;
    for (int i = 1; i < argc; ++i) {
        struct fsverity_enable_arg arg;
        memset(&arg, 0, sizeof arg);
        arg.version = 1;
        arg.hash_algorithm = FS_VERITY_HASH_ALG_SHA256;
        arg.block_size = 4096;
        int fd = open(argv[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || ioctl(fd, FS_IOC_ENABLE_VERITY, &arg) != 0) {
            printf("VERITY %s FAILED %s\n", argv[i], strerror(errno));
            failed = 1;
        } else {
            printf("VERITY %s OK\n", argv[i]);
        }
        if (fd >= 0)
            close(fd);
    }
    return failed;
}
