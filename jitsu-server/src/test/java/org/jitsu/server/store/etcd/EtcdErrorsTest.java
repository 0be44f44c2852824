package org.jitsu.server.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.jitsu.server.store.etcd.EtcdErrors.Known;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failed etcd calls told by their gRPC codes, in the shapes jetcd produces them (seen on etcd 3.4 with
 * {@code EtcdAuthIT}, {@code EtcdTlsIT}); the same words in a message without the code tell nothing.
 */
@Tag("fast")
class EtcdErrorsTest {
    private static final String AUTH_FAILED = "etcdserver: authentication failed, invalid user ID or password";

    @Test
    void aRejectedPasswordIsEtcdsInvalidArgumentUnderJetcdsUnauthenticated() {
        // jetcd's AuthCredential fails the call with UNAUTHENTICATED caused by the Authenticate call's status
        RuntimeException e = Status.UNAUTHENTICATED
                .withCause(Status.INVALID_ARGUMENT.withDescription(AUTH_FAILED).asRuntimeException())
                .asRuntimeException();
        assertThat(EtcdErrors.known(e)).contains(Known.AUTHENTICATION_FAILED);
        assertThat(EtcdErrors.known(new CompletionException(e))).as("as a future reports it")
                .contains(Known.AUTHENTICATION_FAILED);
        assertThat(EtcdErrors.unanswered(e)).as("etcd answered").isFalse();
    }

    @Test
    void theUserErrorsAndAPermissionDeniedAreToldByCodeAndEtcdsDescription() {
        assertThat(EtcdErrors.known(Status.INVALID_ARGUMENT.withDescription("etcdserver: user name is empty")
                .asRuntimeException())).contains(Known.USER_EMPTY);
        assertThat(EtcdErrors.known(Status.FAILED_PRECONDITION.withDescription("etcdserver: user name not found")
                .asException())).contains(Known.USER_NOT_FOUND);
        assertThat(EtcdErrors.known(EtcdExceptionFactory.toEtcdException(Status.PERMISSION_DENIED
                .withDescription("etcdserver: permission denied")))).as("as jetcd's EtcdException")
                .contains(Known.PERMISSION_DENIED);
    }

    @Test
    void anotherErrorEtcdAnswersWithTheSameCodeIsNoneOfThem() {
        assertThat(EtcdErrors.known(Status.INVALID_ARGUMENT
                .withDescription("etcdserver: too many operations in txn request").asRuntimeException())).isEmpty();
        assertThat(EtcdErrors.known(Status.FAILED_PRECONDITION
                .withDescription("etcdserver: role name not found").asRuntimeException())).isEmpty();
    }

    @Test
    void aLostLeaseIsNotFoundAsKeepAliveOnceReportsIt() {
        assertThat(EtcdErrors.is(EtcdExceptionFactory.newEtcdException(ErrorCode.NOT_FOUND,
                "etcdserver: requested lease not found"), Known.LEASE_NOT_FOUND)).isTrue();
        assertThat(EtcdErrors.is(new CompletionException(Status.NOT_FOUND
                .withDescription("etcdserver: requested lease not found").asRuntimeException()),
                Known.LEASE_NOT_FOUND)).as("as etcd's own status").isTrue();
    }

    @Test
    void aUserThatIsNotFoundIsNoLostLease() {
        // the keep-alive of an instance whose etcd user was deleted: matching "not found" in the message
        // took this for a lost lease
        RuntimeException e = Status.UNAUTHENTICATED.withCause(Status.FAILED_PRECONDITION
                .withDescription("etcdserver: user name not found").asRuntimeException()).asRuntimeException();
        assertThat(EtcdErrors.is(e, Known.LEASE_NOT_FOUND)).isFalse();
        assertThat(EtcdErrors.known(e)).contains(Known.USER_NOT_FOUND);
    }

    @Test
    void theWordsWithoutTheCodeTellNothing() {
        assertThat(EtcdErrors.is(new IllegalStateException("etcdserver: requested lease not found"),
                Known.LEASE_NOT_FOUND)).isFalse();
        assertThat(EtcdErrors.known(new RuntimeException(AUTH_FAILED))).isEmpty();
        assertThat(EtcdErrors.unanswered(new RuntimeException("UNAVAILABLE: io exception"))).isFalse();
    }

    @Test
    void noAnswerIsOurBoundOrUnavailableAnywhereInTheChain() {
        assertThat(EtcdErrors.unanswered(new TimeoutException("Did not observe any item"))).isTrue();
        assertThat(EtcdErrors.unanswered(new CompletionException(Status.UNAVAILABLE.withDescription("io exception")
                .asRuntimeException()))).isTrue();
        assertThat(EtcdErrors.unanswered(EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE, "no leader")))
                .isTrue();
        assertThat(EtcdErrors.unanswered(Status.DEADLINE_EXCEEDED.asRuntimeException())).isFalse();
    }

    @Test
    void everyStatusOfTheChainIsSeenOutermostFirst() {
        RuntimeException e = new CompletionException(Status.UNAUTHENTICATED
                .withCause(EtcdExceptionFactory.newEtcdException(ErrorCode.INVALID_ARGUMENT, AUTH_FAILED))
                .asRuntimeException());
        assertThat(EtcdErrors.statuses(e)).extracting(Status::getCode)
                .containsExactly(Status.Code.UNAUTHENTICATED, Status.Code.INVALID_ARGUMENT);
        assertThat(EtcdErrors.statuses(e).get(1).getDescription()).isEqualTo(AUTH_FAILED);
    }
}
