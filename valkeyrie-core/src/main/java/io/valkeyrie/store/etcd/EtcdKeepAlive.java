package io.valkeyrie.store.etcd;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;

import org.jspecify.annotations.Nullable;

/**
 * jetcd's keep-alive of one lease, reporting how it ended unless it was stopped: the server
 * no longer knows the lease, or no answer came within the lease's TTL (jetcd gives up then).
 * Connection errors in between are not endings: jetcd keeps trying until the TTL runs out.
 */
final class EtcdKeepAlive implements StreamObserver<LeaseKeepAliveResponse> {

	/** How a keep-alive ended. Called on a jetcd thread: must not block. */
	interface Ending {

		/**
		 * @param leaseGone whether the server said the lease does not exist (rather than
		 * not answering within the TTL)
		 * @param cause the error, if any
		 */
		void ended(boolean leaseGone, @Nullable Throwable cause);

	}

	private final Ending ending;

	private volatile @Nullable CloseableClient handle;

	private EtcdKeepAlive(Ending ending) {
		this.ending = ending;
	}

	/** Keep {@code lease} alive until stopped or ended. */
	static EtcdKeepAlive start(Client client, long lease, Ending ending) {
		EtcdKeepAlive keepAlive = new EtcdKeepAlive(ending);
		keepAlive.handle = client.getLeaseClient().keepAlive(lease, keepAlive);
		return keepAlive;
	}

	/** Stop keeping the lease alive; no ending is reported after this. */
	synchronized void stop() {
		CloseableClient current = this.handle;
		this.handle = null;
		if (current != null) {
			current.close();
		}
	}

	@Override
	public void onNext(LeaseKeepAliveResponse response) {
	}

	@Override
	public void onError(Throwable error) {
		if (this.handle != null && EtcdCalls.isNotFound(error)) {
			this.handle = null;
			this.ending.ended(true, EtcdCalls.unwrap(error));
		}
	}

	@Override
	public void onCompleted() {
		if (this.handle != null) {
			this.handle = null;
			this.ending.ended(false, null);
		}
	}

}
