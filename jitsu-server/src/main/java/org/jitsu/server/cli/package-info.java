/**
 * The command line: {@code jitsu serve | check | status | service add|rm|list | --help | --version}.
 *
 * <p>Public: {@link org.jitsu.server.cli.Main} ({@code main}, which the {@code jitsu} launcher runs;
 * {@code run(args, out, err)} for tests; the exit codes). Hidden (package-private):
 * {@code StatusCommand} and {@code ServiceCommand} (they ask the running server's admin API over
 * HTTP), {@code Signals} (SIGHUP reloads), {@code LogFormat} (warns at start when
 * {@code JITSU_LOG_FORMAT} or {@code -Djitsu.log.format} names a format {@code logback.xml} does not
 * know).
 *
 * <p>What it promises: exit 0 on success, 1 when a valid config cannot start (a port in use, a backend
 * not ready) or the running server cannot be reached, 2 for a usage or config error. Every error is one
 * line on stderr starting with {@code jitsu: }; a bad config names the file, the key, the value and what
 * was expected ({@code jitsu: FILE: services[0].backend: x (expected: one of the backends: ...)}).
 *
 * <p>Dependencies: {@code org.jitsu.server} (to start or validate a server), {@code config} (to load the
 * file; {@code Addresses}), {@code admin} ({@code AdminSettings}: where the admin API is) and
 * {@code org.jitsu.settings.ConfigException}. Never the components themselves ({@code dns},
 * {@code core}, {@code store}, {@code metrics}): a running server is reached only through its admin API.
 */
package org.jitsu.server.cli;
