import { Button, Text, View } from '@tarojs/components';
import { useAction } from '../../../hooks/useAction';
import { pickAndUpload, sizeText, type UploadedDocument } from '../documents';
import './Documents.scss';

export const MAX_PHOTOS = 3;
export const PHOTO_KIND = 'fault_photo';

/** Optional photos of a fault (JPEG or PNG, up to three), each uploaded as soon as it is picked. */
export function PhotoList({ photos, onChange }: { photos: UploadedDocument[]; onChange: (photos: UploadedDocument[]) => void }) {
  const { busy, error, run } = useAction();
  const full = photos.length >= MAX_PHOTOS;
  const add = () =>
    run(async () => {
      const photo = await pickAndUpload(PHOTO_KIND, 'image');
      if (photo) onChange([...photos, photo]);
    });
  return (
    <View className="card documents" data-testid="fault-photos">
      <Text className="card__title">
        现场照片<Text className="field__optional">（选填）</Text>
      </Text>
      <Text className="documents__hint">可拍下电表箱、空气开关或故障处，最多 {MAX_PHOTOS} 张，每张不超过 5 MB。</Text>
      {photos.map((photo) => (
        <View key={photo.id} className="document document__row" data-testid={`fault-photo-${photo.id}`}>
          <View className="document__main">
            <Text className="document__state document__state--done">
              {photo.filename}（{sizeText(photo.sizeBytes)}）
            </Text>
          </View>
          <Button
            className="field__action"
            onClick={() => onChange(photos.filter((other) => other.id !== photo.id))}
            data-testid={`fault-photo-${photo.id}-remove`}
          >
            删除
          </Button>
        </View>
      ))}
      <Button
        className={`field__action ${busy || full ? 'field__action--disabled' : ''}`}
        disabled={busy || full || undefined}
        onClick={add}
        data-testid="fault-photo-add"
      >
        {busy ? '正在上传…' : full ? `已达 ${MAX_PHOTOS} 张` : '添加照片'}
      </Button>
      {error && (
        <Text className="field__error" data-testid="fault-photo-error">
          {error}
        </Text>
      )}
    </View>
  );
}
