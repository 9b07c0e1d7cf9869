/**
 * Auto-configuration of the problem-details mapping of store exceptions.
 */
@NullMarked
package io.valkeyrie.boot.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
