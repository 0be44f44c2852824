#!/bin/sh
# /usr/bin/jitsu of the Debian package: the release's launcher, run where it is called from, with
# /etc/jitsu/jitsu.yml as the default config.
JITSU_WORKDIR=${JITSU_WORKDIR:-.} JITSU_CONFIG=${JITSU_CONFIG:-/etc/jitsu/jitsu.yml} \
    exec /usr/share/jitsu/bin/jitsu "$@"
