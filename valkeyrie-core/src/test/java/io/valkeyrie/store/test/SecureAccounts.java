package io.valkeyrie.store.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import io.valkeyrie.store.TlsConfig;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The administrator's steps on the {@link SecureServers}: the least-privileged account of
 * namespace {@code app} on each backend, exactly as docs/security.md gives it, made with the
 * authority's client certificate.
 */
public final class SecureAccounts {

	/** The namespace the accounts are limited to. */
	public static final String NAMESPACE = "app";

	/** The user name of the etcd and ZooKeeper accounts. */
	public static final String USER = "app";

	/** The ZooKeeper base path only the user may touch. */
	public static final String ZOOKEEPER_BASE_PATH = "/valkeyrie-app";

	/** The Consul bookkeeping prefix of the application (option {@code bookkeeping-prefix}). */
	public static final String CONSUL_BOOKKEEPING_PREFIX = "_valkeyrie-app";

	/** The least-privilege Consul policy of namespace {@code app}. */
	public static final String CONSUL_RULES = "key_prefix \"app/\" { policy = \"write\" }\n"
			+ "key_prefix \"_valkeyrie-app/\" { policy = \"write\" }\n" + "session_prefix \"\" { policy = \"write\" }\n"
			+ "agent_prefix \"\" { policy = \"read\" }";

	private SecureAccounts() {
	}

	/**
	 * A root user (etcd needs one to enable authentication), the user {@code app} whose role
	 * reads and writes only the namespace {@code app} and its lock records, then {@code auth enable}.
	 */
	public static void etcd(SecureServers.Running server, TestPki pki, String password) throws Exception {
		TlsConfig admin = pki.mutual();
		try (Client client = Client.builder().endpoints(server.endpoint()).sslContext((ssl) -> {
			ssl.keyManager(admin.keyManagers());
			ssl.trustManager(admin.trustManagers());
		}).build()) {
			var auth = client.getAuthClient();
			auth.userAdd(bytes("root"), bytes("root-secret-0c3d")).get();
			auth.roleAdd(bytes("root")).get();
			auth.userGrantRole(bytes("root"), bytes("root")).get();
			auth.roleAdd(bytes("valkeyrie-app")).get();
			for (String prefix : List.of(NAMESPACE + "/", "\0valkeyrie/locks/" + NAMESPACE + "/")) {
				auth.roleGrantPermission(bytes("valkeyrie-app"), bytes(prefix), prefixEnd(prefix), Permission.Type.READWRITE)
					.get();
			}
			auth.userAdd(bytes(USER), bytes(password)).get();
			auth.userGrantRole(bytes(USER), bytes("valkeyrie-app")).get();
			auth.authEnable().get();
		}
	}

	/** The base path {@link #ZOOKEEPER_BASE_PATH}, readable and writable by the digest user {@code app} only. */
	public static void zookeeper(SecureServers.Running server, TestPki pki, String password) throws Exception {
		CountDownLatch connected = new CountDownLatch(1);
		ZooKeeper zookeeper = new ZooKeeper(server.endpoint(), 10000, (event) -> {
			if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
				connected.countDown();
			}
		}, zookeeperAdminConfig(pki));
		try {
			assertThat(connected.await(30, TimeUnit.SECONDS)).as("connected to %s", server.endpoint()).isTrue();
			Id app = new Id("digest", zookeeperDigest(USER, password));
			zookeeper.create(ZOOKEEPER_BASE_PATH, new byte[0], new ArrayList<>(List.of(new ACL(ZooDefs.Perms.ALL, app))),
					CreateMode.PERSISTENT);
		}
		finally {
			zookeeper.close();
		}
	}

	/** ZooKeeper's digest identity: {@code user:base64(sha1(user:password))}. */
	public static String zookeeperDigest(String user, String password) throws Exception {
		byte[] hash = MessageDigest.getInstance("SHA-1").digest((user + ":" + password).getBytes(StandardCharsets.UTF_8));
		return user + ":" + Base64.getEncoder().encodeToString(hash);
	}

	private static ZKClientConfig zookeeperAdminConfig(TestPki pki) {
		ZKClientConfig config = new ZKClientConfig();
		ClientX509Util x509 = new ClientX509Util();
		config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
		config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
		config.setProperty(x509.getSslTruststoreLocationProperty(), pki.file("ca.crt"));
		config.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
		config.setProperty(x509.getSslKeystoreLocationProperty(), pki.file("client.p12"));
		config.setProperty(x509.getSslKeystorePasswdProperty(), TestPki.STORE_PASSWORD);
		config.setProperty(x509.getSslKeystoreTypeProperty(), "PKCS12");
		return config;
	}

	/**
	 * The policy {@link #CONSUL_RULES} and a token holding it, made with the management token.
	 * @return the token's secret
	 */
	public static String consul(SecureServers.Running server, TestPki pki, String managementToken) throws Exception {
		TlsConfig admin = pki.mutual();
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(admin.keyManagers().getKeyManagers(), admin.trustManagers().getTrustManagers(), null);
		HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
		String policy = "{\"Name\":\"valkeyrie-app\",\"Rules\":" + json(CONSUL_RULES) + "}";
		// ACL calls fail until the agent has elected itself and bootstrapped its ACLs.
		await().atMost(Timing.seconds(60))
			.ignoreExceptions()
			.until(() -> consulCall(client, server, managementToken, "acl/policy", policy) != null);
		String token = consulCall(client, server, managementToken, "acl/token",
				"{\"Policies\":[{\"Name\":\"valkeyrie-app\"}]}");
		Matcher secret = Pattern.compile("\"SecretID\":\\s*\"([^\"]+)\"").matcher(token);
		assertThat(secret.find()).as("token answer %s", token).isTrue();
		return secret.group(1);
	}

	private static String consulCall(HttpClient client, SecureServers.Running server, String managementToken,
			String path, String body) throws Exception {
		HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.endpoint() + "/v1/" + path))
			.header("X-Consul-Token", managementToken)
			.PUT(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != 200) {
			throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
		}
		return response.body();
	}

	private static String json(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
	}

	private static ByteSequence bytes(String value) {
		return ByteSequence.from(value, StandardCharsets.UTF_8);
	}

	private static ByteSequence prefixEnd(String prefix) {
		byte[] end = prefix.getBytes(StandardCharsets.UTF_8);
		end[end.length - 1]++;
		return ByteSequence.from(end);
	}

}
