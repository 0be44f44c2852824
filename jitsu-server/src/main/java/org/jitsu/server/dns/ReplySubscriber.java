package org.jitsu.server.dns;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;

/**
 * Receives the reply to one query and hands it to the channel; {@code onDone} runs exactly once,
 * whether the reply came, the query was dropped, or the subscriber was cancelled (connection closed).
 */
final class ReplySubscriber implements CoreSubscriber<DnsReply> {
    private static final Logger log = LoggerFactory.getLogger(ReplySubscriber.class);

    private final Consumer<DnsReply> deliver;
    private final Runnable onDone;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile boolean cancelled;

    ReplySubscriber(Consumer<DnsReply> deliver, Runnable onDone) {
        this.deliver = deliver;
        this.onDone = onDone;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription = s;
        if (cancelled) {
            s.cancel();
        } else {
            s.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(DnsReply reply) {
        if (!cancelled) {
            deliver.accept(reply);
        }
    }

    @Override
    public void onError(Throwable t) {
        log.debug("reply failed: {}", t.toString());
        finish();
    }

    @Override
    public void onComplete() {
        finish();
    }

    /** Stops waiting for the reply. */
    void cancel() {
        cancelled = true;
        Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        finish();
    }

    boolean isDone() {
        return done.get();
    }

    private void finish() {
        if (done.compareAndSet(false, true)) {
            onDone.run();
        }
    }
}
