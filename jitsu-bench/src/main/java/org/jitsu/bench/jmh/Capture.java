package org.jitsu.bench.jmh;

import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;

/**
 * A reusable subscriber that keeps the last value: subscribing with it adds no allocation of its own
 * to what a benchmark measures (unlike {@code block()}).
 */
public final class Capture<T> implements CoreSubscriber<T> {
    private T value;

    /** Takes the value out, or throws when none arrived (a synchronous benchmark must get one). */
    public T take() {
        T v = value;
        if (v == null) {
            throw new IllegalStateException("no value arrived synchronously");
        }
        value = null;
        return v;
    }

    @Override
    public void onSubscribe(Subscription s) {
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T t) {
        value = t;
    }

    @Override
    public void onError(Throwable t) {
        throw new IllegalStateException(t);
    }

    @Override
    public void onComplete() {
    }
}
