/**
 * The settings library every module parses its config with: {@link org.jitsu.settings.Settings}, a
 * read-only view of one mapping of a parsed YAML document that knows its own path, with validating
 * accessors (durations, sizes, ranges, enums, addresses); {@link org.jitsu.settings.ConfigException},
 * whose message names the key, the value and what was expected; {@link org.jitsu.settings.IpLiteral},
 * which parses IP literals without ever consulting a resolver; {@link org.jitsu.settings.JsonText}, the
 * project's one JSON writer.
 *
 * <p>Depends on: nothing but the JDK ({@code java.net}, {@code java.time}, {@code java.util}). It
 * knows no YAML parser (jitsu-server hands it the parsed maps) and nothing of backends or the server.
 */
package org.jitsu.settings;
