#include "signing/signature_removal.hpp"

#include "ima/evm_xattr.hpp"
#include "objects/xattr_list.hpp"
#include "ostree-ima/ima_xattr.hpp"

namespace ostree_ima {

std::optional<std::string> remove_signature(StoredObject &object)
{
    if (!object.is_regular() ||
        (!xattr_get(object.xattrs(), kImaXattrName) && !xattr_get(object.xattrs(), kEvmXattrName)))
        return std::nullopt;
    const GVariantPtr without_ima = xattr_remove(object.xattrs(), kImaXattrName);
    const GVariantPtr xattrs = xattr_remove(without_ima.get(), kEvmXattrName);
    return object.write_with_xattrs(xattrs.get());
}

} // namespace ostree_ima
