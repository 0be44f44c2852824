package org.jitsu.server.dns;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;

/**
 * Receives the reply to one query and hands it to the channel. {@code onDone} runs exactly once: when
 * the channel calls {@link #done()} after writing the reply, or at once when there is no reply (the
 * query was dropped, the Mono failed, or the subscriber was cancelled because the connection closed).
 * So a query counts as in flight until its reply is really written.
 */
final class ReplySubscriber implements CoreSubscriber<DnsReply> {
    private static final Logger log = LoggerFactory.getLogger(ReplySubscriber.class);

    private final Consumer<DnsReply> deliver;
    private final Runnable onDone;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile Subscription subscription;
    private volatile boolean cancelled;
    private volatile boolean replied;

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
        if (cancelled) {
            return;
        }
        replied = true;
        deliver.accept(reply);
    }

    @Override
    public void onError(Throwable t) {
        log.debug("reply failed: {}", t.toString());
        finish();
    }

    @Override
    public void onComplete() {
        if (!replied) {
            finish();
        }
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

    /** The reply was written (or could not be): the query is no longer in flight. */
    void done() {
        finish();
    }

    private void finish() {
        if (done.compareAndSet(false, true)) {
            onDone.run();
        }
    }
}
