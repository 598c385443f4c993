// The empty program each library is linked into whole (LayerSeams.cmake).
int main()
{
    return 0;
}
