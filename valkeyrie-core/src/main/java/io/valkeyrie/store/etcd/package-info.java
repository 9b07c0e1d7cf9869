/**
 * The etcd backend.
 */
@NullMarked
package io.valkeyrie.store.etcd;

import org.jspecify.annotations.NullMarked;
