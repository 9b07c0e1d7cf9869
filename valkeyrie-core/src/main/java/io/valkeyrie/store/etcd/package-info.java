/**
 * The etcd backend: {@link io.valkeyrie.store.etcd.EtcdStore} on etcd v3 through jetcd
 * (an optional dependency). Everything else in the package is internal.
 */
@NullMarked
package io.valkeyrie.store.etcd;

import org.jspecify.annotations.NullMarked;
