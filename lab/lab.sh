#!/usr/bin/env bash
# The QEMU lab: a real libvirtd + QEMU (TCG) host on this machine, and two tiny guests built from
# Debian packages alone, both with a busybox initramfs that serves HTTP: the "ordinary VM" (Debian's
# cloud kernel, extracted, its virtio modules loaded at boot) and the fast guest (a kernel built here
# from Debian's linux-source with lab/fast-guest.config: a few minutes on 2 cores, cached).
#
#   lab/lab.sh up       install what is missing, start virtlogd and libvirtd, build the guests (idempotent)
#   lab/lab.sh down     destroy and undefine the lab's domains (names lab-*), stop the daemons it started
#   lab/lab.sh status   say what runs; exit 0 when libvirtd answers on qemu:///system and the guest is built
#
# Needs root (it installs packages and runs libvirtd as root). Debian 12 without systemd.
# Daemons are started by hand with PID files under run/lab/ and stopped by those PIDs only.
# The guest is published at /var/lib/libvirt/jitsu-lab/ (libvirtd needs absolute paths).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO
readonly STATE=${JITSU_LAB_STATE:-$REPO/run/lab}
readonly GUEST=$STATE/guest
readonly FAST=$STATE/fast-guest
readonly PUBLISHED=/var/lib/libvirt/jitsu-lab
readonly URI=qemu:///system
readonly PREFIX=lab-
readonly SOCKET=/var/run/libvirt/libvirt-sock
readonly PACKAGES=(qemu-system-x86 libvirt0 libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients busybox-static
    flex bison bc libelf-dev) # the last four: to build the fast guest's kernel
# The virtio network stack of the guest, loaded in this order (dependencies first; checked against
# the kernel package's modules when the guest is built).
readonly MODULES=(failover net_failover virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
    virtio_pci virtio_mmio virtio_net)

log() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

need_root() {
    [[ $(id -u) -eq 0 ]] || die "run as root (it installs packages and runs libvirtd)"
}

# ---- processes by PID file

# Prints the PID in FILE when that process is alive and runs EXE; fails otherwise.
pid_of() {
    local file=$1 exe=$2 pid
    [[ -s $file ]] || return 1
    pid=$(<"$file")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$exe" ]] || return 1
    echo "$pid"
}

# Stops the process in FILE (only if it is still EXE): SIGTERM, then SIGKILL after 10 s.
stop_pidfile() {
    local file=$1 exe=$2 name=$3 pid i
    if ! pid=$(pid_of "$file" "$exe"); then
        rm -f "$file"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        [[ -d /proc/$pid ]] || break
        sleep 0.1
    done
    if [[ -d /proc/$pid ]]; then
        log "$name (pid $pid) still running after 10 s; SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}

# A process running EXE that is not ours (another lab or an operator's daemon), if any.
foreign_pid() {
    local exe=$1 p
    for p in /proc/[0-9]*; do
        if [[ $(readlink "$p/exe" 2>/dev/null) == "$exe" ]]; then
            echo "${p#/proc/}"
            return 0
        fi
    done
    return 1
}

libvirt_answers() {
    [[ -S $SOCKET ]] && timeout 10 virsh -q -c "$URI" version >/dev/null 2>&1
}

# ---- up

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

prepare_host() {
    getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
    getent passwd libvirt-qemu >/dev/null \
        || useradd --system --gid libvirt-qemu --no-create-home --home-dir /var/lib/libvirt --shell /usr/sbin/nologin libvirt-qemu
    mkdir -p /var/log/libvirt/qemu /var/lib/libvirt /var/cache/libvirt /etc/libvirt "$PUBLISHED" "$STATE"
    local conf=/etc/libvirt/qemu.conf
    if grep -qx 'user = "root"' "$conf" 2>/dev/null && grep -qx 'group = "root"' "$conf" 2>/dev/null; then
        return 0
    fi
    if [[ -e $conf && ! -e $conf.jitsu-lab.orig ]]; then
        cp -p "$conf" "$conf.jitsu-lab.orig"
    fi
    # Without these, libvirtd re-probes QEMU's capabilities on every call (define 40 s instead of 12 ms).
    {
        [[ -e $conf ]] && grep -vE '^[[:space:]]*(user|group)[[:space:]]*=' "$conf"
        echo '# jitsu lab: QEMU runs as root (no libvirt-daemon-system here); see lab/lab.sh'
        echo 'user = "root"'
        echo 'group = "root"'
    } >"$conf.jitsu-lab.new"
    mv "$conf.jitsu-lab.new" "$conf"
    log "wrote $conf (user and group root$([[ -e $conf.jitsu-lab.orig ]] && echo "; the original is $conf.jitsu-lab.orig"))"
}

start_daemons() {
    local pid
    if pid=$(pid_of "$STATE/virtlogd.pid" /usr/sbin/virtlogd); then
        log "virtlogd runs (pid $pid)"
    elif pid=$(foreign_pid /usr/sbin/virtlogd); then
        log "virtlogd runs (pid $pid, not started by this lab: left alone)"
    else
        # stdio away from the caller's pipes (a test that reads them would wait for the daemon's exit)
        virtlogd -d -p "$STATE/virtlogd.pid" </dev/null >>"$STATE/virtlogd.out" 2>&1
        log "started virtlogd (pid $(<"$STATE/virtlogd.pid"))"
    fi
    if pid=$(pid_of "$STATE/libvirtd.pid" /usr/sbin/libvirtd); then
        log "libvirtd runs (pid $pid)"
    elif pid=$(foreign_pid /usr/sbin/libvirtd); then
        log "libvirtd runs (pid $pid, not started by this lab: left alone)"
    else
        libvirtd -d -p "$STATE/libvirtd.pid" </dev/null >>"$STATE/libvirtd.out" 2>&1
        log "started libvirtd (pid $(<"$STATE/libvirtd.pid"))"
    fi
    local i
    for ((i = 0; i < 300; i++)); do
        libvirt_answers && break
        sleep 0.1
    done
    libvirt_answers || die "libvirtd does not answer on $URI after 30 s (see /var/log/libvirt/)"
    if [[ ! -e $STATE/capabilities-warm ]] || [[ $STATE/capabilities-warm -ot $STATE/libvirtd.pid ]]; then
        log "warming libvirt's QEMU capabilities cache (a few seconds, once)"
        timeout 120 virsh -q -c "$URI" domcapabilities --virttype qemu >/dev/null
        touch "$STATE/capabilities-warm"
    fi
}

# Prints the modules in DIR (a modules tree) that the modules NAMES... need, dependencies first, each once.
module_order() {
    local dir=$1 m
    shift
    SEEN=()
    for m in "$@"; do
        module_closure "$dir" "$m"
    done
}

module_closure() {
    local dir=$1 name=$2 file deps d
    [[ " ${SEEN[*]} " == *" $name "* ]] && return 0
    SEEN+=("$name")
    file=$(find "$dir" -name "$name.ko" -print -quit)
    [[ -n $file ]] || die "kernel module $name.ko not found in $dir"
    deps=$(tr '\0' '\n' <"$file" | sed -n 's/^depends=//p' | head -n1)
    for d in ${deps//,/ }; do
        module_closure "$dir" "$d"
    done
    echo "$name"
}

build_guest() {
    # Rebuilt when lab/guest-init.sh changed since the last build.
    if [[ -s $GUEST/vmlinuz && -s $GUEST/initrd.img && $GUEST/.complete -nt $REPO/lab/guest-init.sh ]]; then
        log "guest built: $GUEST ($(<"$GUEST/kernel-version"))"
        return 0
    fi
    log "building the guest in $GUEST"
    local work=$GUEST/build
    rm -rf "$work" "$GUEST/.complete"
    mkdir -p "$work/pkg" "$work/root"
    local pkg
    pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    if [[ -z $pkg ]]; then
        apt-get update -qq
        pkg=$(apt-cache depends linux-image-cloud-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
    fi
    [[ -n $pkg ]] || die "no linux-image-*-cloud-amd64 package known to apt"
    log "kernel package $pkg (downloaded and extracted, not installed)"
    if ! (cd "$work" && apt-get download -q "$pkg" >"$work/download.log" 2>&1); then
        cat "$work/download.log" >&2
        die "apt-get download $pkg failed"
    fi
    local deb
    deb=$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)
    [[ -n $deb ]] || die "apt-get download $pkg failed"
    dpkg-deb -x "$deb" "$work/pkg"
    local version
    version=$(basename "$(find "$work/pkg/lib/modules" -mindepth 1 -maxdepth 1 -type d -print -quit)")
    cp "$work/pkg/boot/vmlinuz-$version" "$GUEST/vmlinuz"

    local root=$work/root
    mkdir -p "$root/lib/modules" "$root/etc"
    local order=() m
    while IFS= read -r m; do order+=("$m"); done < <(module_order "$work/pkg/lib/modules/$version" "${MODULES[@]}")
    for m in "${order[@]}"; do
        cp "$(find "$work/pkg/lib/modules/$version" -name "$m.ko" -print -quit)" "$root/lib/modules/"
    done
    printf '%s\n' "${order[@]}" >"$root/etc/modules"
    make_initramfs "$root" "$GUEST/initrd.img" gzip
    echo "$version" >"$GUEST/kernel-version"
    rm -rf "$work"
    touch "$GUEST/.complete"
    log "guest built: kernel $version ($(du -k "$GUEST/vmlinuz" | cut -f1) KiB), initrd $(du -k "$GUEST/initrd.img" | cut -f1) KiB, modules: ${order[*]}"
}

# The initramfs both guests boot: static busybox, lab/guest-init.sh as /init, the modules it loads
# (none for the fast guest: its drivers are built in). make_initramfs ROOT OUT [gzip].
make_initramfs() {
    local root=$1 out=$2 compress=${3:-}
    mkdir -p "$root"/{bin,dev,proc,sys,etc,www,lib/modules}
    cp /bin/busybox "$root/bin/busybox"
    ldd "$root/bin/busybox" >/dev/null 2>&1 && die "/bin/busybox is not static (install busybox-static)"
    ln -sf busybox "$root/bin/sh"
    [[ -e $root/etc/modules ]] || : >"$root/etc/modules"
    cp "$REPO/lab/guest-init.sh" "$root/init"
    chmod 755 "$root/init"
    if [[ $compress == gzip ]]; then
        (cd "$root" && find . | sort | busybox cpio -o -H newc 2>/dev/null | gzip -9) >"$out.tmp"
    else
        (cd "$root" && find . | sort | busybox cpio -o -H newc 2>/dev/null) >"$out.tmp"
    fi
    mv "$out.tmp" "$out"
}

build_fast_guest() {
    # Rebuilt when lab/fast-guest.config or lab/guest-init.sh changed since the last build.
    if [[ -s $FAST/vmlinuz && -s $FAST/initrd.img && $FAST/.complete -nt $REPO/lab/fast-guest.config \
        && $FAST/.complete -nt $REPO/lab/guest-init.sh ]]; then
        log "fast guest built: $FAST ($(<"$FAST/kernel-version"))"
        return 0
    fi
    local work=$FAST/build started
    started=$(date +%s)
    rm -rf "$work" "$FAST/.complete"
    mkdir -p "$work/pkg" "$work/root"
    local pkg
    pkg=$(apt-cache depends linux-source 2>/dev/null | awk '/Depends: linux-source-/ {print $2; exit}')
    if [[ -z $pkg ]]; then
        apt-get update -qq
        pkg=$(apt-cache depends linux-source | awk '/Depends: linux-source-/ {print $2; exit}')
    fi
    [[ -n $pkg ]] || die "no linux-source-* package known to apt"
    log "building the fast guest in $FAST from $pkg (downloaded and extracted, not installed; a few minutes)"
    if ! (cd "$work" && apt-get download -q "$pkg" >"$work/download.log" 2>&1); then
        cat "$work/download.log" >&2
        die "apt-get download $pkg failed"
    fi
    dpkg-deb -x "$(find "$work" -maxdepth 1 -name "${pkg}_*.deb" -print -quit)" "$work/pkg"
    tar -xJf "$(find "$work/pkg/usr/src" -name 'linux-source-*.tar.xz' -print -quit)" -C "$work"
    local src
    src=$(find "$work" -maxdepth 1 -type d -name 'linux-source-*' -print -quit)
    (
        cd "$src"
        make -s tinyconfig >/dev/null
        ./scripts/kconfig/merge_config.sh -m .config "$REPO/lab/fast-guest.config" >/dev/null 2>&1
        make -s olddefconfig >/dev/null
        make -s -j"$(nproc)" bzImage >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
    ) || die "the fast guest's kernel did not build (see above)"
    cp "$src/arch/x86/boot/bzImage" "$FAST/vmlinuz"
    make_initramfs "$work/root" "$FAST/initrd.img" # uncompressed: nothing to unpack under TCG
    echo "$(make -s -C "$src" kernelversion) (lab/fast-guest.config)" >"$FAST/kernel-version"
    rm -rf "$work"
    touch "$FAST/.complete"
    log "fast guest built in $(($(date +%s) - started)) s: kernel $(<"$FAST/kernel-version"), $(du -k "$FAST/vmlinuz" | cut -f1) KiB, initrd $(du -k "$FAST/initrd.img" | cut -f1) KiB"
}

# libvirtd needs absolute paths: the configs point at $PUBLISHED (fast-* for the fast guest).
publish_guest() {
    local f
    for f in vmlinuz initrd.img kernel-version; do
        cmp -s "$GUEST/$f" "$PUBLISHED/$f" || install -m 644 "$GUEST/$f" "$PUBLISHED/$f"
        cmp -s "$FAST/$f" "$PUBLISHED/fast-$f" || install -m 644 "$FAST/$f" "$PUBLISHED/fast-$f"
    done
}

cmd_up() {
    need_root
    install_packages
    prepare_host
    start_daemons
    build_guest
    build_fast_guest
    publish_guest
    log "up: libvirtd on $URI, guest kernel $PUBLISHED/vmlinuz, initrd $PUBLISHED/initrd.img;" \
        "fast guest $PUBLISHED/fast-vmlinuz, fast-initrd.img"
}

# ---- down

lab_domains() {
    virsh -q -c "$URI" list --all --name 2>/dev/null | grep "^$PREFIX" || true
}

cmd_down() {
    need_root
    local d
    if libvirt_answers; then
        for d in $(lab_domains); do
            if [[ $(virsh -q -c "$URI" domstate "$d" 2>/dev/null) != "shut off" ]]; then
                virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
            fi
            virsh -q -c "$URI" undefine "$d" --managed-save >/dev/null 2>&1 || true
            log "destroyed and undefined domain $d"
        done
    fi
    stop_pidfile "$STATE/libvirtd.pid" /usr/sbin/libvirtd libvirtd
    stop_pidfile "$STATE/virtlogd.pid" /usr/sbin/virtlogd virtlogd
    rm -f "$STATE/capabilities-warm"
    log "down (packages, the guest in $GUEST and /etc/libvirt/qemu.conf are left in place)"
}

# ---- status

cmd_status() {
    local ok=0 pid
    if pid=$(pid_of "$STATE/virtlogd.pid" /usr/sbin/virtlogd); then
        echo "virtlogd: running (pid $pid, started by this lab)"
    elif pid=$(foreign_pid /usr/sbin/virtlogd); then
        echo "virtlogd: running (pid $pid, not started by this lab)"
    else
        echo "virtlogd: not running"
        ok=1
    fi
    if pid=$(pid_of "$STATE/libvirtd.pid" /usr/sbin/libvirtd); then
        echo "libvirtd: running (pid $pid, started by this lab)"
    elif pid=$(foreign_pid /usr/sbin/libvirtd); then
        echo "libvirtd: running (pid $pid, not started by this lab)"
    else
        echo "libvirtd: not running"
        ok=1
    fi
    if libvirt_answers; then
        echo "$URI: answers"
        local d
        for d in $(lab_domains); do
            echo "domain $d: $(virsh -q -c "$URI" domstate "$d" 2>/dev/null)"
        done
    else
        echo "$URI: no answer"
        ok=1
    fi
    if [[ -e $GUEST/.complete && -s $PUBLISHED/vmlinuz && -s $PUBLISHED/initrd.img ]]; then
        echo "guest: kernel $(<"$GUEST/kernel-version"), $PUBLISHED/vmlinuz + initrd.img"
    else
        echo "guest: not built (lab/lab.sh up builds it)"
        ok=1
    fi
    if [[ -e $FAST/.complete && -s $PUBLISHED/fast-vmlinuz && -s $PUBLISHED/fast-initrd.img ]]; then
        echo "fast guest: kernel $(<"$FAST/kernel-version"), $PUBLISHED/fast-vmlinuz + fast-initrd.img"
    else
        echo "fast guest: not built (lab/lab.sh up builds it)"
        ok=1
    fi
    return $ok
}

case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *)
        echo "usage: lab/lab.sh up|down|status" >&2
        exit 2
        ;;
esac
