#!/usr/bin/env bash
# The release build (./jitsu dist): target/dist/jitsu-VERSION.tar.gz and target/dist/jitsu_VERSION_all.deb.
#
#   tarball   jitsu-VERSION/{bin/jitsu, lib/*.jar, config/ (the examples, the systemd unit, the
#             dashboard), docs/, README.md}: needs only a Java 17+ runtime, runs from any directory.
#   .deb      built with dpkg-deb from the same tree: /usr/share/jitsu/{bin,lib,config}, /usr/bin/jitsu,
#             /etc/jitsu/jitsu.yml (a conffile), the unit in /lib/systemd/system, docs in
#             /usr/share/doc/jitsu; its maintainer scripts (packaging/debian/) add the jitsu system
#             user and /var/lib/jitsu. `apt-get install ./jitsu_VERSION_all.deb`.
#
#   packaging/build.sh [--skip-maven]   (--skip-maven: the jars of the last `mvn package` as they are)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

skip_maven=0
[[ ${1:-} == --skip-maven ]] && skip_maven=1
if ((!skip_maven)); then
    mvn -q -B -Dstyle.color=never -DskipTests -pl jitsu-server -am package
fi
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)
[[ -n $version ]] || { echo "dist: no <version> in pom.xml" >&2; exit 1; }
for jar in "jitsu-server/target/jitsu-server-$version.jar" "jitsu-xen/target/jitsu-xen-$version.jar" \
    jitsu-server/target/classpath.txt; do
    [[ -f $jar ]] || { echo "dist: $jar missing (run without --skip-maven)" >&2; exit 1; }
done

out=target/dist
name=jitsu-$version
rm -rf "$out"
tree=$out/$name
mkdir -p "$tree/bin" "$tree/lib" "$tree/config" "$tree/docs"

# bin/ and lib/: the launcher, our two jars and the runtime dependencies (the classpath Maven wrote)
install -m 0755 packaging/bin/jitsu "$tree/bin/jitsu"
cp "jitsu-server/target/jitsu-server-$version.jar" "jitsu-xen/target/jitsu-xen-$version.jar" "$tree/lib/"
IFS=: read -r -a deps <jitsu-server/target/classpath.txt || true # one line, no newline at its end
for dep in "${deps[@]}"; do
    cp "$dep" "$tree/lib/"
done
[[ $(find "$tree/lib" -name '*.jar' | wc -l) -eq $((${#deps[@]} + 2)) ]] || { echo "dist: jars missing in lib/" >&2; exit 1; }
# config/: the examples as in the repository (their relative paths work from the release's directory)
cp config/*.yml "$tree/config/"
cp -r config/www config/systemd config/grafana config/xen "$tree/config/"
cp docs/*.md "$tree/docs/"
cp README.md "$tree/"
# every file the release's user can read, the launcher runnable; times from the last commit, so that
# two builds of one commit give the same archive
epoch=$(git log -1 --format=%ct 2>/dev/null || date +%s)
find "$tree" -type d -exec chmod 0755 {} +
find "$tree" -type f -exec chmod 0644 {} +
chmod 0755 "$tree/bin/jitsu"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$out" -czf "$out/$name.tar.gz" "$name"

# The Debian package: the same files in Debian's places
deb_version=${version//-/\~} # 0.1.0-SNAPSHOT -> 0.1.0~SNAPSHOT: sorts before the release 0.1.0
root=$out/deb
mkdir -p "$root/DEBIAN" "$root/usr/share/jitsu" "$root/usr/bin" "$root/etc/jitsu" \
    "$root/lib/systemd/system" "$root/usr/share/doc/jitsu"
cp -r "$tree/bin" "$tree/lib" "$tree/config" "$root/usr/share/jitsu/"
install -m 0755 packaging/debian/jitsu.sh "$root/usr/bin/jitsu"
install -m 0644 packaging/debian/jitsu.yml "$root/etc/jitsu/jitsu.yml"
install -m 0644 config/systemd/jitsu.service "$root/lib/systemd/system/jitsu.service"
cp "$tree/docs/"*.md README.md "$root/usr/share/doc/jitsu/"
for script in postinst prerm postrm; do
    install -m 0755 "packaging/debian/$script" "$root/DEBIAN/$script"
done
echo /etc/jitsu/jitsu.yml >"$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$deb_version/" -e "s/@SIZE@/$size/" packaging/debian/control >"$root/DEBIAN/control"
find "$root" -path "$root/DEBIAN" -prune -o -type f -exec touch -h -d "@$epoch" {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/jitsu_${deb_version}_all.deb" >/dev/null
rm -rf "$root"

echo "dist: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
echo "dist: $out/jitsu_${deb_version}_all.deb ($(du -h "$out/jitsu_${deb_version}_all.deb" | cut -f1))"
