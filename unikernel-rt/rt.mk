# libember.a: the library OS linked into every image.
