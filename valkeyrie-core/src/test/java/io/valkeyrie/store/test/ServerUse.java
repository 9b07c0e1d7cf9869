package io.valkeyrie.store.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test servers a test class uses and how, so that the test JVMs Surefire runs side by side
 * never run a class that stops a server beside one that uses it ({@link ServerLocks}). A class
 * without it uses the shared servers of {@code scripts/servers} beside other classes.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServerUse {

	/** The shared test servers of {@code scripts/servers}: the default of {@link #shared()}. */
	String[] SHARED_SERVERS = { "consul", "etcd", "redis", "redis-sentinel", "zookeeper" };

	/**
	 * Servers (or clusters, e.g. {@code etcd-cluster}) the class uses while others use them too.
	 * @return their names
	 */
	String[] shared() default { "consul", "etcd", "redis", "redis-sentinel", "zookeeper" };

	/**
	 * Servers the class stops, restarts, kills or reconfigures: no other class uses them meanwhile.
	 * @return their names
	 */
	String[] exclusive() default {};

}
