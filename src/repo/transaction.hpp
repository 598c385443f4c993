// Transaction: one OSTree transaction, aborted unless committed.
#pragma once

#include <ostree.h>
#include <string>

namespace ostree_ima {

class Transaction {
  public:
    explicit Transaction(OstreeRepo *repo);
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    // Aborts (staged objects are discarded) when commit() was not reached.
    ~Transaction();

    // Points refspec at checksum when the transaction commits.
    void set_ref(const std::string &refspec, const std::string &checksum);
    void commit();

  private:
    OstreeRepo *repo_;
    bool open_ = false;
};

} // namespace ostree_ima
