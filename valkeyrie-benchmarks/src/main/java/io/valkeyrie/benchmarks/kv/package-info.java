/**
 * The operations the overhead benchmark compares, through the Store and through each raw client.
 */
@NullMarked
package io.valkeyrie.benchmarks.kv;

import org.jspecify.annotations.NullMarked;
