// The one Boost.Test module of test_unit: each other file of tests/unit/ is
// one folder of src/ (or pkcs11/) and holds that folder's suite.
#define BOOST_TEST_MODULE unit
#include <boost/test/unit_test.hpp>
