/**
 * The ZooKeeper backend: {@link io.valkeyrie.store.zookeeper.ZookeeperStore} on a Curator
 * client. Everything else in this package is internal; {@code docs/backends/zookeeper.md}
 * describes the znode layout and how each store call maps to ZooKeeper.
 */
@NullMarked
package io.valkeyrie.store.zookeeper;

import org.jspecify.annotations.NullMarked;
