package org.jitsu.server.store.etcd;

import java.util.Objects;
import java.util.Optional;
import org.jitsu.server.core.BootCoordinator;

/**
 * The values of the claim protocol, written and read only here:
 * <ul>
 *   <li>{@code claims/<id>} = {@code booting <instance>} or {@code running <instance>}: a {@link Holder};</li>
 *   <li>{@code vms/<id>} = {@code <instance> <handle>}: a {@link VmRecord}, the handle being what the
 *   owner's backend says of the VM ({@code Vm.handle()}: {@code PID START} for a process, a domain UUID
 *   for libvirt), so it may itself contain spaces.</li>
 * </ul>
 * An instance id has no space ({@code store.etcd.instance-id} is {@code [A-Za-z0-9][A-Za-z0-9._-]*}), so
 * the first space ends it. {@code decode} of a value that is not one of these is empty: the caller says
 * what it makes of it (a claim it cannot read is one it waits for, a VM record it cannot read names no
 * VM). Both encodings are compared byte for byte by etcd transactions ("delete the claim while it is
 * {@code running <me>}"), so they never change for the same value.
 */
final class ClaimValues {
    private ClaimValues() {
    }

    /** Whether the claim's holder is still booting the service or runs it. */
    enum Phase {
        BOOTING("booting"),
        RUNNING("running");

        private final String word;

        Phase(String word) {
            this.word = word;
        }

        static Optional<Phase> of(String word) {
            for (Phase p : values()) {
                if (p.word.equals(word)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** The value of {@code claims/<id>}: which instance holds the claim, and whether its VM runs yet. */
    record Holder(Phase phase, String instance) {
        Holder {
            Objects.requireNonNull(phase, "phase");
            checkInstance(instance);
        }

        static Holder booting(String instance) {
            return new Holder(Phase.BOOTING, instance);
        }

        static Holder running(String instance) {
            return new Holder(Phase.RUNNING, instance);
        }

        boolean runs() {
            return phase == Phase.RUNNING;
        }

        boolean heldBy(String instance) {
            return this.instance.equals(instance);
        }

        String encode() {
            return phase.word + " " + instance;
        }

        /** The holder {@link #encode()} wrote; empty for any other text. */
        static Optional<Holder> decode(String text) {
            int space = text.indexOf(' ');
            if (space < 0) {
                return Optional.empty();
            }
            String instance = text.substring(space + 1);
            return validInstance(instance)
                    ? Phase.of(text.substring(0, space)).map(p -> new Holder(p, instance))
                    : Optional.empty();
        }
    }

    /** The value of {@code vms/<id>}: the instance that runs the service's VM, and how to find the VM. */
    record VmRecord(String instance, String handle) {
        VmRecord {
            checkInstance(instance);
            Objects.requireNonNull(handle, "handle");
        }

        String encode() {
            return instance + " " + handle;
        }

        /** The record {@link #encode()} wrote; empty when there is no space after a non-empty instance. */
        static Optional<VmRecord> decode(String text) {
            int space = text.indexOf(' ');
            return space <= 0 ? Optional.empty()
                    : Optional.of(new VmRecord(text.substring(0, space), text.substring(space + 1)));
        }

        /** The VM as the core adopts it. */
        BootCoordinator.LeftBehind leftBehind() {
            return new BootCoordinator.LeftBehind(instance, handle);
        }
    }

    private static boolean validInstance(String instance) {
        return !instance.isEmpty() && instance.chars().noneMatch(Character::isWhitespace);
    }

    private static void checkInstance(String instance) {
        Objects.requireNonNull(instance, "instance");
        if (!validInstance(instance)) {
            throw new IllegalArgumentException("instance: \"" + instance + "\" (expected: non-empty, no spaces)");
        }
    }
}
