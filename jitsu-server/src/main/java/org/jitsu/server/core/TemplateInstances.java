package org.jitsu.server.core;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The instances of one {@link ServiceTemplate}, as a client of the core uses them: {@link #admit}
 * finds or makes the instance for a tuple of captured values, within the template's budget.
 * Thread-safe; nothing here blocks but the backend's spec check of a new instance.
 */
public interface TemplateInstances {

    ServiceTemplate template();

    /**
     * The instance for these values (in {@link ServiceTemplate#captures()} order), counting as traffic:
     * a known one, or a new one when the budget allows (its VM is not started here: the caller's
     * {@code ensureRunning()} boots it). A known instance that is not running needs a place under
     * {@code maxRunning}; a new one also a token of the template's and the client prefix's rate, and an
     * address. Never allocates a VM or an address when it refuses.
     *
     * @param client the address the request came from (for the per-client budget)
     */
    Admission admit(List<String> values, InetAddress client);

    /**
     * As {@link #admit}, without making a new instance: the known instance's admission, or the refusal
     * of a new one; empty when a new one may be made; its budget is then taken, and the next
     * {@link #admit} of these values makes it. Making an instance defines a VM (the backend may touch the
     * file system), so a caller on an event loop calls {@link #admit} then on a scheduler that may
     * block, and refusals (a flood of random names) cost it no thread hop.
     */
    Optional<Admission> admitKnown(List<String> values, InetAddress client);

    /** The instances known now, in no particular order. */
    List<ManagedService> instances();

    /** Instances booting, running or stopping now (what {@code maxRunning} bounds). */
    int active();

    /**
     * Runs {@code listener} (on the thread that forgets) with each instance this template forgets, so
     * that a client drops what it keeps for it.
     */
    void onForgotten(Consumer<ManagedService> listener);
}
