# musl from Debian's source package, with our x86_64 syscall files.
