package org.jitsu.server.dns;

import io.netty.util.concurrent.AbstractEventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * An event executor that runs its tasks only when the test calls {@link #runAll()}: "in the event
 * loop" is exactly while it runs them. Lets a test complete replies off the loop and then watch how
 * the handler hands them over. Single test thread only.
 */
final class ManualExecutor extends AbstractEventExecutor {
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    private int executed;

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs the queued tasks (and those they queue) as the loop; returns how many ran. */
    int runAll() {
        int before = executed;
        running = true;
        try {
            for (Runnable r = tasks.poll(); r != null; r = tasks.poll()) {
                r.run();
                executed++;
            }
        } finally {
            running = false;
        }
        return executed - before;
    }

    @Override
    public boolean inEventLoop(Thread thread) {
        return running;
    }

    @Override
    public boolean isShuttingDown() {
        return false;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return terminationFuture();
    }

    @Override
    public Future<?> terminationFuture() {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
    }

    @Override
    @Deprecated
    public void shutdown() {
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
