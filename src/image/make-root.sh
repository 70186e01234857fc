#!/bin/sh
# The image's own files besides pgrds (pom.xml, profile "image"): there is no base image to pull here (no
# registry), so the image is FROM scratch with a Java runtime made by jlink from this build's JDK, the shared
# libraries that runtime needs (copied from this machine: glibc, zlib, ...), and a passwd entry for the non-root
# user the daemon runs as. Usage: make-root.sh OUTPUT_DIRECTORY
set -eu
root="$1"
jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
rm -rf "$root"
mkdir -p "$root/opt" "$root/etc" "$root/tmp" "$root/var/lib/pgrds" "$root/var/cache/pgrds"

# The modules pgrds needs (jdeps --print-module-deps on the jar), and those loaded as services that jdeps cannot
# see: elliptic-curve crypto (SSH, TLS), the zip file system, more charsets, the JDK's management beans.
"$jdk/bin/jlink" --add-modules java.base,java.desktop,java.logging,java.management,java.naming,java.rmi,\
java.security.jgss,java.sql,java.xml,jdk.crypto.ec,jdk.httpserver,jdk.security.auth,jdk.unsupported,jdk.zipfs,\
jdk.management,jdk.charsets,jdk.net \
  --strip-debug --no-header-files --no-man-pages --output "$root/opt/java"

# The shared libraries of the parts of the runtime a headless daemon loads (not AWT, fonts or sound), at the paths
# the dynamic linker looks for them; the runtime's own libraries it finds next to itself ($ORIGIN/../lib).
cd "$root/opt/java"
for elf in bin/java lib/jspawnhelper lib/server/libjvm.so lib/libjava.so lib/libjli.so lib/libjimage.so \
    lib/libnet.so lib/libnio.so lib/libzip.so lib/libverify.so lib/libextnet.so lib/libmanagement.so \
    lib/libmanagement_ext.so lib/libj2gss.so lib/libjaas.so lib/libprefs.so lib/librmi.so; do
  ldd "$elf" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
done | sort -u | grep -v "^$root/" | while read -r lib; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

# The user the daemon runs as (Java takes its home from here), and the directories it writes.
echo "root:x:0:0:root:/root:/sbin/nologin" > "$root/etc/passwd"
echo "pgrds:x:65532:65532:pgrds daemon:/var/lib/pgrds:/sbin/nologin" >> "$root/etc/passwd"
printf 'root:x:0:\npgrds:x:65532:\n' > "$root/etc/group"
