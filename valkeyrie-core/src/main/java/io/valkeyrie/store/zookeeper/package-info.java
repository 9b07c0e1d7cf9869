/**
 * The zookeeper backend.
 */
@NullMarked
package io.valkeyrie.store.zookeeper;

import org.jspecify.annotations.NullMarked;
