package org.jitsu.backend.libvirt;

import com.sun.jna.Library;
import com.sun.jna.ptr.IntByReference;
import java.lang.reflect.Field;
import java.util.Locale;
import java.util.Optional;
import org.jitsu.backend.VmState;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEvent;
import org.libvirt.event.DomainEventType;
import org.libvirt.jna.DomainPointer;

/**
 * Maps libvirt's domain states and lifecycle events onto {@link VmState}.
 *
 * <p>The state is read with {@code virDomainGetState} through a one-function JNA binding: libvirt-java
 * 0.5.3's {@code DomainInfo.DomainState} stops at {@code VIR_DOMAIN_CRASHED} and clamps larger values,
 * so {@code getInfo()} reports a PM-suspended domain as crashed.
 */
final class DomainStates {
    static final int NOSTATE = 0;
    static final int RUNNING = 1;
    static final int BLOCKED = 2;
    static final int PAUSED = 3;
    static final int SHUTDOWN = 4;
    static final int SHUTOFF = 5;
    static final int CRASHED = 6;
    static final int PMSUSPENDED = 7;

    private DomainStates() {
    }

    /**
     * The state of a domain as Jitsu sees it.
     *
     * @param raw libvirt's {@code virDomainState}
     * @param managedSave whether the domain has a managed save image (only consulted when shut off)
     */
    static VmState map(int raw, boolean managedSave) {
        return switch (raw) {
            case RUNNING, BLOCKED -> VmState.RUNNING; // an idle Xen domain is "blocked": it runs
            case PAUSED, PMSUSPENDED -> VmState.PAUSED;
            case SHUTDOWN -> VmState.STOPPING;
            case SHUTOFF -> managedSave ? VmState.PAUSED : VmState.STOPPED;
            case CRASHED -> VmState.CRASHED;
            default -> VmState.UNKNOWN;
        };
    }

    /** The state a lifecycle event announces, or empty for events that do not change it (defined). */
    static Optional<VmState> ofEvent(DomainEvent event) {
        DomainEventType type = event.getType();
        String detail = detail(event);
        return switch (type) {
            case STARTED, RESUMED -> Optional.of(VmState.RUNNING);
            case SUSPENDED, PMSUSPENDED -> Optional.of(VmState.PAUSED);
            case SHUTDOWN -> Optional.of(VmState.STOPPING);
            // A managed save stops the domain with detail "saved": it is restored by the next start.
            case STOPPED -> Optional.of("saved".equals(detail) ? VmState.PAUSED : VmState.STOPPED);
            case UNDEFINED -> Optional.of(VmState.STOPPED);
            case CRASHED -> Optional.of(VmState.CRASHED);
            case DEFINED -> Optional.empty();
            default -> Optional.of(VmState.UNKNOWN);
        };
    }

    /** A short description such as {@code "stopped (destroyed)"}. */
    static String describe(DomainEvent event) {
        String type = event.getType().name().toLowerCase(Locale.ROOT);
        String detail = detail(event);
        return detail.isEmpty() ? type : type + " (" + detail + ")";
    }

    private static String detail(DomainEvent event) {
        Object d;
        try {
            d = event.getDetail();
        } catch (RuntimeException e) {
            return "";
        }
        return d == null ? "" : d.toString().toLowerCase(Locale.ROOT);
    }

    /** Reads libvirt's raw state of {@code domain} ({@code VIR_DOMAIN_*}). */
    static int rawState(Domain domain) throws LibvirtException {
        Optional<DomainPointer> ptr = StateBinding.pointer(domain);
        if (ptr.isPresent()) {
            IntByReference state = new IntByReference();
            IntByReference reason = new IntByReference();
            if (StateBinding.LIB.virDomainGetState(ptr.get(), state, reason, 0) == 0) {
                return state.getValue();
            }
        }
        // Fallback (reflection unavailable or the call failed): libvirt-java's own, clamped view.
        return domain.getInfo().state.ordinal();
    }

    /** The one libvirt function libvirt-java 0.5.3 lacks, bound through JNA. */
    private static final class StateBinding {
        interface StateLibrary extends Library {
            int virDomainGetState(DomainPointer domain, IntByReference state, IntByReference reason, int flags);
        }

        static final StateLibrary LIB = com.sun.jna.Native.load("virt", StateLibrary.class);
        private static final Optional<Field> VDP = field();

        private static Optional<Field> field() {
            try {
                Field f = Domain.class.getDeclaredField("vdp");
                f.setAccessible(true);
                return Optional.of(f);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Optional.empty();
            }
        }

        static Optional<DomainPointer> pointer(Domain domain) {
            if (VDP.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable((DomainPointer) VDP.get().get(domain));
            } catch (IllegalAccessException e) {
                return Optional.empty();
            }
        }
    }
}
