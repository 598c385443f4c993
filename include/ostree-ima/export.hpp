// OSTREE_IMA_EXPORT: marks what libostree-ima.so exports. The library is
// built with -fvisibility=hidden, so everything not marked (the layers'
// internals) stays out of its dynamic symbol table and its ABI.
#pragma once

#define OSTREE_IMA_EXPORT __attribute__((visibility("default")))
