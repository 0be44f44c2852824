package org.jitsu.backend.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jitsu.settings.ConfigException;
import org.jitsu.settings.Settings;

/**
 * The user and group a process backend's commands run as ({@code backends.NAME.user} and
 * {@code .group}), resolved once when the backend is defined. The default is the server's own user and
 * group: commands are started as they are today. Another user is switched to by Debian's
 * {@code setpriv} (util-linux) between {@code setsid} and the command, with the user's supplementary
 * groups ({@code --init-groups}) when it has a passwd entry, none otherwise; the server needs
 * {@code CAP_SETUID}, {@code CAP_SETGID} and {@code CAP_KILL} for that (root has them), or the
 * backend is refused at start with the key and the reason.
 *
 * @param uid the user id the commands run as
 * @param gid their group id
 * @param user the user's name when it has a passwd entry (for the supplementary groups)
 * @param self whether that is the server's own user and group (no switch)
 */
record RunAs(int uid, int gid, Optional<String> user, boolean self) {
    /** Linux capability numbers (include/uapi/linux/capability.h). */
    static final int CAP_KILL = 5;
    static final int CAP_SETGID = 6;
    static final int CAP_SETUID = 7;

    /** The current process's effective ids and capabilities, from {@code /proc/self/status}. */
    record Credentials(int uid, int gid, long effectiveCapabilities) {
        static Credentials of(List<String> statusLines) {
            int uid = -1;
            int gid = -1;
            long caps = 0;
            for (String line : statusLines) {
                String[] f = line.split("\\s+");
                if (f[0].equals("Uid:") && f.length > 2) {
                    uid = Integer.parseInt(f[2]); // real, effective, saved, fs: the effective one
                } else if (f[0].equals("Gid:") && f.length > 2) {
                    gid = Integer.parseInt(f[2]);
                } else if (f[0].equals("CapEff:") && f.length > 1) {
                    caps = Long.parseUnsignedLong(f[1], 16);
                }
            }
            if (uid < 0 || gid < 0) {
                throw new IllegalArgumentException("no Uid:/Gid: lines");
            }
            return new Credentials(uid, gid, caps);
        }

        static Credentials current() {
            return of(readLines(Path.of("/proc/self/status")));
        }

        boolean has(int capability) {
            return (effectiveCapabilities & (1L << capability)) != 0;
        }
    }

    /** The passwd and group databases as files (no NSS modules: LDAP users are given by number). */
    record Accounts(List<String> passwd, List<String> group) {
        static Accounts system() {
            return new Accounts(readLines(Path.of("/etc/passwd")), readLines(Path.of("/etc/group")));
        }

        /** The passwd entry whose name (or, for digits, uid) is {@code user}: name, uid, primary gid. */
        Optional<String[]> user(String user) {
            return find(passwd, user, 2);
        }

        /** The group entry whose name (or gid) is {@code group}: name, gid. */
        Optional<String[]> group(String group) {
            return find(this.group, group, 2);
        }

        Optional<String> userName(int uid) {
            return find(passwd, Integer.toString(uid), 2).map(e -> e[0]);
        }

        private static Optional<String[]> find(List<String> lines, String key, int idField) {
            boolean numeric = key.chars().allMatch(Character::isDigit);
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length > idField && (numeric ? f[idField].equals(key) : f[0].equals(key))) {
                    return Optional.of(new String[] {f[0], f[idField], f.length > 3 ? f[3] : ""});
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The backend's {@code user} and {@code group} settings resolved against {@code accounts}, for a
     * server running with {@code creds}; {@code setprivFound} says whether {@code setpriv} is on PATH.
     *
     * @throws ConfigException naming the key: an unknown user or group, or a switch the server cannot make
     */
    static RunAs resolve(Settings settings, Accounts accounts, Credentials creds, boolean setprivFound) {
        Optional<String> userSetting = settings.optString("user");
        Optional<String> groupSetting = settings.optString("group");
        int uid = creds.uid();
        int gid = creds.gid();
        Optional<String> name = accounts.userName(uid);
        if (userSetting.isPresent()) {
            String u = userSetting.get();
            Optional<String[]> entry = accounts.user(u);
            if (entry.isPresent()) {
                name = Optional.of(entry.get()[0]);
                uid = Integer.parseInt(entry.get()[1]);
                gid = Integer.parseInt(entry.get()[2]);
            } else if (u.chars().allMatch(Character::isDigit) && u.length() <= 9) {
                name = Optional.empty();
                uid = Integer.parseInt(u);
                gid = uid; // a bare uid: its group of the same number unless group says otherwise
            } else {
                throw new ConfigException(settings.keyPath("user"), u, "a user in /etc/passwd, or a numeric uid");
            }
        }
        if (groupSetting.isPresent()) {
            String g = groupSetting.get();
            Optional<String[]> entry = accounts.group(g);
            if (entry.isPresent()) {
                gid = Integer.parseInt(entry.get()[1]);
            } else if (g.chars().allMatch(Character::isDigit) && g.length() <= 9) {
                gid = Integer.parseInt(g);
            } else {
                throw new ConfigException(settings.keyPath("group"), g, "a group in /etc/group, or a numeric gid");
            }
        }
        boolean self = uid == creds.uid() && gid == creds.gid();
        if (!self) {
            String key = settings.keyPath(userSetting.isPresent() ? "user" : "group");
            Object value = userSetting.isPresent() ? userSetting.get() : groupSetting.get();
            if (!creds.has(CAP_SETUID) || !creds.has(CAP_SETGID) || !creds.has(CAP_KILL)) {
                throw new ConfigException(key, value, "the server's own user (uid " + creds.uid() + ", gid "
                        + creds.gid() + "), or run the server as root: switching users needs CAP_SETUID, CAP_SETGID"
                        + " and CAP_KILL");
            }
            if (!setprivFound) {
                throw new ConfigException(key, value, "setpriv on PATH (Debian package util-linux) to switch users");
            }
        }
        return new RunAs(uid, gid, name, self);
    }

    /** The arguments that make {@code setpriv} run the command after them as this user; empty when {@link #self}. */
    List<String> setprivArgs(Path setpriv) {
        if (self) {
            return List.of();
        }
        return List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + gid,
                user.isPresent() ? "--init-groups" : "--clear-groups", "--");
    }

    /** True when the commands run as root (uid 0). */
    boolean root() {
        return uid == 0;
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
