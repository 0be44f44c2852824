#!/bin/sh
# /init of the lab guest's initramfs (busybox sh, PID 1). Loads the virtio network modules, configures
# eth0 for QEMU user-mode networking (no default route: the guest only answers), and serves a page
# naming the guest with busybox httpd on port 80. The guest's name comes from the kernel command line
# (jitsu.guest=NAME). Lines on the console start with "jitsu-lab:".
export PATH=/bin
/bin/busybox --install -s /bin
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

# shellcheck disable=SC2013 # one module name per line, no spaces
for m in $(cat /etc/modules); do
    insmod "/lib/modules/$m.ko" || echo "jitsu-lab: insmod $m failed"
done

name=guest
# shellcheck disable=SC2013 # the kernel command line is a list of words
for arg in $(cat /proc/cmdline); do
    case $arg in
        jitsu.guest=*) name=${arg#jitsu.guest=} ;;
    esac
done

i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
    sleep 0.05
    i=$((i + 1))
done
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up

cat >/www/index.html <<PAGE
<!doctype html>
<title>$name</title>
<h1>jitsu lab guest $name</h1>
<p>kernel $(uname -r), booted in $(cut -d' ' -f1 /proc/uptime) s</p>
<p>boot id $(cat /proc/sys/kernel/random/boot_id)</p>
PAGE
httpd -p 80 -h /www
echo "jitsu-lab: guest $name serves http on port 80 after $(cut -d' ' -f1 /proc/uptime) s"

while :; do
    sleep 3600
done
