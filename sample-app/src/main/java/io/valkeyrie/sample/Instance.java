package io.valkeyrie.sample;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

import org.springframework.stereotype.Component;

/**
 * This running instance of the sample, told apart from the others that share the store:
 * host, process id and a random suffix (two runs on one host may reuse a pid).
 */
@Component
class Instance {

	private final String id;

	Instance() {
		this.id = host() + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 4);
	}

	/** The instance's id. */
	String id() {
		return this.id;
	}

	private static String host() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			// No resolvable host name (bare container): the pid and suffix still tell instances apart.
			return "localhost";
		}
	}

}
